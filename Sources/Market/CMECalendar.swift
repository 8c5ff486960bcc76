/// CME Globex holidays and early closes for 2010–2030, computed from the rules below
/// rather than typed in as a table, for the CME products we trade (equity index,
/// energy, metals). Minutes are US Central, after local midnight, on the trade date.
///
/// Closed (no session for that trade date; the next session opens 17:00 CT on it):
/// - New Year's Day, Jan 1; on a Sunday the observed Monday Jan 2; on a Saturday no
///   weekday is closed.
/// - Good Friday, Easter Sunday − 2 days (Anonymous Gregorian / Meeus algorithm).
/// - Christmas, Dec 25; on a Saturday the observed Friday Dec 24, on a Sunday the
///   observed Monday Dec 26.
///
/// Early close 12:00 CT (the session opens the previous evening as usual and halts at
/// noon): Martin Luther King Jr. Day (3rd Monday of January), Presidents Day (3rd
/// Monday of February), Memorial Day (last Monday of May), Juneteenth (June 19, from
/// 2022; Saturday → Friday, Sunday → Monday), Independence Day (July 4; Saturday →
/// Friday July 3, Sunday → Monday July 5), Labor Day (1st Monday of September),
/// Thanksgiving (4th Thursday of November).
///
/// Early close 12:15 CT: the day after Thanksgiving; Christmas Eve, Dec 24, when it is a
/// weekday and not itself the observed Christmas closure; July 3 when July 4 falls on
/// Tuesday–Friday.
///
/// Simplifications, deliberate:
/// - Years outside 2010–2030 are `.regular` on every date: the rules have not been
///   checked against CME's notices beyond that range, and a wrong closure would drop
///   real bars from a backtest, which is worse than keeping a holiday's thin session.
/// - Good Friday is always closed. In some years (when US payrolls were published that
///   day) CME equity index futures traded an abbreviated morning; that session is
///   missing here, and its bars fall to the Thursday session (see `SessionMap`).
/// - One set of halt times for every CME product group. CME's real halts differ by
///   group in some years (energy and metals have halted at other times than equity
///   index on the same holiday); the equity index times are used for all.
/// - Observed closures are whole-day closures, even in years when CME ran a shortened
///   session on the observed day instead.
/// - Unscheduled closures (Hurricane Sandy 2012, national days of mourning) are not
///   modelled.
/// - Weekends are the weekly template's business (`TradingSession`): the calendar
///   answers `.regular` for a Saturday or Sunday.
public enum CMECalendar {
    /// Years the rules are claimed for.
    public static let years = 2010...2030
    /// Halt on the US holidays that CME keeps open in the morning.
    public static let holidayCloseMinute = 12 * 60
    /// Halt on the eves and the day after Thanksgiving.
    public static let eveCloseMinute = 12 * 60 + 15

    /// What the calendar says about a local trade date (days since 1970-01-01).
    public static func status(ofTradeDate day: Int) -> TradeDateStatus {
        status(of: CivilDate(daysSinceEpoch: day))
    }

    /// What the calendar says about a local trade date. Cheap: a few integer
    /// operations and no allocation, so it can be asked once per day of a range.
    public static func status(of date: CivilDate) -> TradeDateStatus {
        guard years.contains(date.year), date.isWeekday else { return .regular }
        let weekday = date.weekday, day = date.day
        let monday = 1, thursday = 4, friday = 5
        switch date.month {
        case 1:
            if day == 1 || (day == 2 && weekday == monday) { return .closed }
            if weekday == monday, (15...21).contains(day) { return .earlyClose(minute: holidayCloseMinute) }
        case 2:
            if weekday == monday, (15...21).contains(day) { return .earlyClose(minute: holidayCloseMinute) }
        case 3, 4:
            if date.daysSinceEpoch == easterSunday(year: date.year).daysSinceEpoch - 2 { return .closed }
        case 5:
            if weekday == monday, day >= 25 { return .earlyClose(minute: holidayCloseMinute) }
        case 6:
            if date.year >= 2022, date == observed(CivilDate(year: date.year, month: 6, day: 19)) {
                return .earlyClose(minute: holidayCloseMinute)
            }
        case 7:
            let independence = CivilDate(year: date.year, month: 7, day: 4)
            if date == observed(independence) { return .earlyClose(minute: holidayCloseMinute) }
            if day == 3, (2...5).contains(independence.weekday) { return .earlyClose(minute: eveCloseMinute) }
        case 9:
            if weekday == monday, day <= 7 { return .earlyClose(minute: holidayCloseMinute) }
        case 11:
            // The 4th Thursday falls on the 22nd–28th; the day after it on the 23rd–29th.
            if weekday == thursday, (22...28).contains(day) { return .earlyClose(minute: holidayCloseMinute) }
            if weekday == friday, (23...29).contains(day) { return .earlyClose(minute: eveCloseMinute) }
        case 12:
            if date == observed(CivilDate(year: date.year, month: 12, day: 25)) { return .closed }
            if day == 24 { return .earlyClose(minute: eveCloseMinute) }
        default:
            break
        }
        return .regular
    }

    /// Easter Sunday in the Gregorian calendar (the Anonymous Gregorian algorithm, as
    /// given by Meeus, "Astronomical Algorithms", ch. 8).
    public static func easterSunday(year: Int) -> CivilDate {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4
        let f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let n = h + l - 7 * m + 114
        return CivilDate(year: year, month: n / 31, day: n % 31 + 1)
    }

    /// The weekday a fixed-date holiday is observed on: Saturday → Friday, Sunday → Monday.
    static func observed(_ holiday: CivilDate) -> CivilDate {
        switch holiday.weekday {
        case 6: CivilDate(daysSinceEpoch: holiday.daysSinceEpoch - 1)
        case 0: CivilDate(daysSinceEpoch: holiday.daysSinceEpoch + 1)
        default: holiday
        }
    }
}
