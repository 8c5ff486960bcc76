import Foundation

/// A weekly trading-session template in the exchange's own time zone.
///
/// A session is named by its trade date D (Monday–Friday). It opens at
/// `openMinute` local time — on D-1 when `opensPreviousDay` (CME Globex opens
/// Sunday 17:00 for Monday's trade date) — and closes at `closeMinute` on D.
/// The regular-hours window (`regularOpenMinute`..`regularCloseMinute`, on D) is
/// where day-trading strategies usually act.
///
/// `holidayCalendar` names the exchange calendar applied on top of the template: a
/// closed trade date has no session, and an early-close date ends at the early close
/// (its regular hours end no later). The CME sessions follow `CMECalendar` (2010–2030);
/// `usEquities` follows none — NYSE holidays are not modelled, so there a holiday is
/// simply a trade date without bars.
public struct TradingSession: Sendable, Hashable, Codable {
    public let name: String
    public let timeZoneIdentifier: String
    /// Minutes after local midnight.
    public let openMinute: Int
    public let closeMinute: Int
    public let opensPreviousDay: Bool
    public let regularOpenMinute: Int
    public let regularCloseMinute: Int
    /// Holidays and early closes; its minutes are read in `timeZoneIdentifier`.
    public let holidayCalendar: HolidayCalendar

    public init(
        name: String, timeZoneIdentifier: String, openMinute: Int, closeMinute: Int,
        opensPreviousDay: Bool, regularOpenMinute: Int, regularCloseMinute: Int,
        holidayCalendar: HolidayCalendar = .none
    ) {
        self.name = name
        self.timeZoneIdentifier = timeZoneIdentifier
        self.openMinute = openMinute
        self.closeMinute = closeMinute
        self.opensPreviousDay = opensPreviousDay
        self.regularOpenMinute = regularOpenMinute
        self.regularCloseMinute = regularCloseMinute
        self.holidayCalendar = holidayCalendar
    }

    /// CME Globex equity index: Sunday 17:00 – Friday 16:00 CT, daily break
    /// 16:00–17:00 CT; regular hours 08:30–15:00 CT.
    public static let cmeEquityIndex = TradingSession(
        name: "CME Globex equity index", timeZoneIdentifier: "America/Chicago",
        openMinute: 17 * 60, closeMinute: 16 * 60, opensPreviousDay: true,
        regularOpenMinute: 8 * 60 + 30, regularCloseMinute: 15 * 60, holidayCalendar: .cme)

    /// NYMEX energy on Globex: same 17:00–16:00 CT week; regular hours are the
    /// former pit session 08:00–13:30 CT.
    public static let cmeEnergy = TradingSession(
        name: "CME Globex energy", timeZoneIdentifier: "America/Chicago",
        openMinute: 17 * 60, closeMinute: 16 * 60, opensPreviousDay: true,
        regularOpenMinute: 8 * 60, regularCloseMinute: 13 * 60 + 30, holidayCalendar: .cme)

    /// COMEX metals on Globex: 17:00–16:00 CT; regular hours are the former pit
    /// session 07:20–12:30 CT.
    public static let cmeMetals = TradingSession(
        name: "CME Globex metals", timeZoneIdentifier: "America/Chicago",
        openMinute: 17 * 60, closeMinute: 16 * 60, opensPreviousDay: true,
        regularOpenMinute: 7 * 60 + 20, regularCloseMinute: 12 * 60 + 30, holidayCalendar: .cme)

    /// US stocks, regular hours 09:30–16:00 New York time (the whole session). NYSE
    /// holidays and early closes are not modelled.
    public static let usEquities = TradingSession(
        name: "US equities regular hours", timeZoneIdentifier: "America/New_York",
        openMinute: 9 * 60 + 30, closeMinute: 16 * 60, opensPreviousDay: false,
        regularOpenMinute: 9 * 60 + 30, regularCloseMinute: 16 * 60)

    public var timeZone: TimeZone {
        // The identifiers above are compiled in; an unknown one is a programming error.
        guard let zone = TimeZone(identifier: timeZoneIdentifier) else {
            preconditionFailure("unknown time zone \(timeZoneIdentifier)")
        }
        return zone
    }

    /// UTC epoch seconds of a local wall-clock time. Two passes make it right across
    /// DST changes (none of our session times falls in the 02:00 switch hour).
    public func utcEpoch(localDay: Int, minute: Int) -> Int64 {
        let zone = timeZone
        let local = Int64(localDay) * 86_400 + Int64(minute) * 60
        let firstGuess = local - Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local))))
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(firstGuess)))
        return local - Int64(offset)
    }

    /// Local calendar day (days since 1970-01-01) of a UTC instant.
    public func localDay(of epoch: Int64) -> Int {
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(epoch))))
        return Int(floorDiv(epoch + offset, 86_400))
    }

    /// The sessions whose trade dates fall in `fromDay...throughDay` (local days since
    /// 1970-01-01), in order: weekdays less the calendar's closed dates, with early
    /// closes applied. Computed once per backtest (or per stretch of days), never per bar.
    public func sessions(fromDay: Int, throughDay: Int) -> [SessionDay] {
        guard fromDay <= throughDay else { return [] }
        var result: [SessionDay] = []
        result.reserveCapacity((throughDay - fromDay + 1) * 5 / 7 + 2)
        for day in fromDay...throughDay {
            let date = CivilDate(daysSinceEpoch: day)
            guard date.isWeekday else { continue }
            var endMinute = closeMinute
            switch holidayCalendar.status(of: date) {
            case .regular: break
            case .closed: continue
            case .earlyClose(let minute): endMinute = min(closeMinute, minute)
            }
            let close = utcEpoch(localDay: day, minute: endMinute)
            result.append(SessionDay(
                tradeDate: Int32(day),
                open: utcEpoch(localDay: opensPreviousDay ? day - 1 : day, minute: openMinute),
                close: close,
                regularOpen: utcEpoch(localDay: day, minute: regularOpenMinute),
                regularClose: min(close, utcEpoch(localDay: day, minute: regularCloseMinute))))
        }
        return result
    }

    /// Sessions covering every instant in `from...through` (UTC epoch seconds), with a
    /// margin of a few days on each side so a bar near the ends still finds its session.
    public func sessions(covering from: Int64, through: Int64) -> [SessionDay] {
        sessions(fromDay: Int(floorDiv(from, 86_400)) - 3, throughDay: Int(floorDiv(through, 86_400)) + 3)
    }
}

/// One trade date's boundaries in UTC epoch seconds.
public struct SessionDay: Sendable, Hashable, Codable {
    /// Local trade date as days since 1970-01-01.
    public let tradeDate: Int32
    public let open: Int64
    public let close: Int64
    public let regularOpen: Int64
    public let regularClose: Int64

    public init(tradeDate: Int32, open: Int64, close: Int64, regularOpen: Int64, regularClose: Int64) {
        self.tradeDate = tradeDate
        self.open = open
        self.close = close
        self.regularOpen = regularOpen
        self.regularClose = regularClose
    }

    public var tradeDateString: String { CivilDate(daysSinceEpoch: Int(tradeDate)).description }
}

/// A proleptic Gregorian date, converted without Foundation (Hinnant's algorithms).
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public init(daysSinceEpoch: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// Parses "YYYY-MM-DD"; nil when malformed or not a real date.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        self.init(year: y, month: m, day: d)
        guard CivilDate(daysSinceEpoch: daysSinceEpoch) == self else { return nil }
    }

    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 0 = Sunday ... 6 = Saturday.
    public var weekday: Int {
        // 1970-01-01 was a Thursday.
        ((daysSinceEpoch % 7) + 11) % 7
    }

    public var isWeekday: Bool { (1...5).contains(weekday) }

    public var description: String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        let d = day < 10 ? "0\(day)" : "\(day)"
        return "\(year)-\(m)-\(d)"
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

@inlinable
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// UTC "YYYY-MM-DDTHH:MM:SSZ" for an epoch second, or with `.mmm` before the Z given
/// milliseconds; used in results, messages and log lines.
public func isoUTC(_ epoch: Int64, milliseconds: Int? = nil) -> String {
    let days = Int(floorDiv(epoch, 86_400))
    let secs = Int(epoch - Int64(days) * 86_400)
    let date = CivilDate(daysSinceEpoch: days)
    // Digits written in place on the stack: every reported trade has two of these and
    // every log line one, and string interpolation was a tenth of a backtest's time.
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { text in
        var count = 0
        func put(_ byte: UInt8) {
            text[count] = byte
            count += 1
        }
        func digits(_ value: Int, _ width: Int) {
            var place = 1
            for _ in 1..<width { place *= 10 }
            while place > 0 {
                text[count] = UInt8(ascii: "0") + UInt8(value / place % 10)
                count += 1
                place /= 10
            }
        }
        if (0...9999).contains(date.year) { digits(date.year, 4) } else { String(date.year).utf8.forEach(put) }
        put(UInt8(ascii: "-")); digits(date.month, 2)
        put(UInt8(ascii: "-")); digits(date.day, 2)
        put(UInt8(ascii: "T")); digits(secs / 3600, 2)
        put(UInt8(ascii: ":")); digits(secs / 60 % 60, 2)
        put(UInt8(ascii: ":")); digits(secs % 60, 2)
        if let milliseconds { put(UInt8(ascii: ".")); digits(milliseconds, 3) }
        put(UInt8(ascii: "Z"))
        return String(decoding: UnsafeBufferPointer(rebasing: text[..<count]), as: UTF8.self)
    }
}
