import Foundation

/// Text conversion for `timestamptz` without `DateFormatter`, which is slow and
/// not thread-safe to share. Connections set `TimeZone=UTC` and `DateStyle=ISO`,
/// so the server sends `2026-11-21 14:09:48.123456+00`.
enum PostgresTimestamp {
    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff][±HH[:MM[:SS]]]` (also with a `T`).
    static func parse(_ text: String) -> Date? {
        if text == "infinity" { return .distantFuture }
        if text == "-infinity" { return .distantPast }
        let bytes = Array(text.utf8)
        var pos = 0

        func number(_ digits: Int) -> Int? {
            guard pos + digits <= bytes.count else { return nil }
            var value = 0
            for _ in 0..<digits {
                let b = bytes[pos]
                guard b >= 48 && b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
                pos += 1
            }
            return value
        }
        func expect(_ ch: UInt8) -> Bool {
            guard pos < bytes.count, bytes[pos] == ch else { return false }
            pos += 1
            return true
        }

        guard let year = number(4), expect(45), let month = number(2), expect(45),
              let day = number(2) else { return nil }
        guard pos < bytes.count, bytes[pos] == 32 || bytes[pos] == 84 else { return nil }
        pos += 1
        guard let hour = number(2), expect(58), let minute = number(2), expect(58),
              let second = number(2) else { return nil }

        var fraction = 0.0
        if pos < bytes.count, bytes[pos] == 46 {
            pos += 1
            var scale = 0.1
            while pos < bytes.count, bytes[pos] >= 48, bytes[pos] <= 57 {
                fraction += Double(bytes[pos] - 48) * scale
                scale /= 10
                pos += 1
            }
        }

        var offsetSeconds = 0
        if pos < bytes.count {
            if bytes[pos] == 90 { // Z
                pos += 1
            } else {
                let sign = bytes[pos] == 45 ? -1 : 1
                guard bytes[pos] == 43 || bytes[pos] == 45 else { return nil }
                pos += 1
                guard let oh = number(2) else { return nil }
                var om = 0, os = 0
                if expect(58) { guard let m = number(2) else { return nil }; om = m }
                if expect(58) { guard let s = number(2) else { return nil }; os = s }
                offsetSeconds = sign * (oh * 3600 + om * 60 + os)
            }
        }
        guard pos == bytes.count else { return nil }

        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var whole = Int(interval.rounded(.down))
        var micros = Int(((interval - Double(whole)) * 1_000_000).rounded())
        if micros == 1_000_000 { whole += 1; micros = 0 }
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondOfDay = whole - days * 86_400
        let (y, m, d) = civilFromDays(days)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(micros, 6))Z"
    }

    // Howard Hinnant's civil-calendar algorithms: exact for the proleptic
    // Gregorian calendar, no time-zone database needed.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
