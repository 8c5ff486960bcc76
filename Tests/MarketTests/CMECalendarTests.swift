import XCTest
@testable import Market

/// CME holidays and early closes (CMECalendar) and how `TradingSession` applies them.
final class CMECalendarTests: XCTestCase {
    private let noon = TradeDateStatus.earlyClose(minute: 12 * 60)
    private let quarterPast = TradeDateStatus.earlyClose(minute: 12 * 60 + 15)

    private func status(_ text: String) -> TradeDateStatus { CMECalendar.status(of: CivilDate(text)!) }

    /// UTC epoch seconds of "YYYY-MM-DDTHH:MM" (UTC).
    private func utc(_ text: String) -> Int64 {
        let date = CivilDate(String(text.prefix(10)))!
        let hour = Int64(text.dropFirst(11).prefix(2))!, minute = Int64(text.dropFirst(14).prefix(2))!
        return Int64(date.daysSinceEpoch) * 86_400 + hour * 3600 + minute * 60
    }

    private func sessions(_ from: String, _ through: String, of session: TradingSession = .cmeEquityIndex) -> [SessionDay] {
        session.sessions(fromDay: CivilDate(from)!.daysSinceEpoch, throughDay: CivilDate(through)!.daysSinceEpoch)
    }

    func testKnownDates() {
        let expected: [(String, TradeDateStatus)] = [
            ("2013-11-28", noon),         // Thanksgiving
            ("2013-11-29", quarterPast),  // the day after
            ("2013-12-24", quarterPast),  // Christmas Eve, a Tuesday
            ("2013-12-25", .closed),
            ("2014-01-01", .closed),
            ("2024-03-29", .closed),      // Good Friday
            ("2019-04-19", .closed),      // Good Friday
            ("2010-04-02", .closed),      // Good Friday, first year of the range
            ("2020-01-20", noon),         // Martin Luther King Jr. Day
            ("2013-02-18", noon),         // Presidents Day
            ("2013-05-27", noon),         // Memorial Day
            ("2013-09-02", noon),         // Labor Day
            ("2021-12-24", .closed),      // Christmas on a Saturday, observed Friday
            ("2021-12-23", .regular),     // ... and the Thursday before is a full day
            ("2022-12-26", .closed),      // Christmas on a Sunday, observed Monday
            ("2022-12-23", .regular),
            ("2017-01-02", .closed),      // New Year's Day on a Sunday, observed Monday
            ("2021-12-31", .regular),     // New Year's Day 2022 on a Saturday: no weekday closure
            ("2022-01-03", .regular),
            ("2022-06-20", noon),         // Juneteenth on a Sunday, observed Monday
            ("2023-06-19", noon),
            ("2021-06-18", .regular),     // before CME observed Juneteenth (2022)
            ("2026-07-03", noon),         // Independence Day on a Saturday, observed Friday
            ("2021-07-05", noon),         // Independence Day on a Sunday, observed Monday
            ("2023-07-03", quarterPast),  // July 3, a Monday, before a Tuesday July 4
            ("2023-07-04", noon),
            ("2018-07-03", quarterPast),  // Tuesday before a Wednesday July 4
            ("2022-07-01", .regular),     // July 4 on a Monday: the Friday before is a full day
            ("2013-10-14", .regular),     // Columbus Day: CME trades a full day
            ("2013-11-27", .regular),
            ("2030-12-25", .closed),      // last year of the range
            ("2009-12-25", .regular),     // outside 2010–2030: no calendar
            ("2031-01-01", .regular),
        ]
        for (date, status) in expected {
            XCTAssertEqual(self.status(date), status, date)
        }
    }

    func testEasterSundays() {
        let known = ["2010-04-04", "2011-04-24", "2013-03-31", "2016-03-27", "2018-04-01", "2019-04-21",
                     "2024-03-31", "2025-04-20", "2030-04-21"]
        for text in known {
            let date = CivilDate(text)!
            XCTAssertEqual(CMECalendar.easterSunday(year: date.year), date)
        }
    }

    /// Every year in range: three weekday closures (two when New Year's Day is a
    /// Saturday), six noon closes before 2022 and seven from 2022, all on weekdays.
    func testEveryYearHasItsHolidays() {
        for year in CMECalendar.years {
            var closed = 0, noonCloses = 0
            let first = CivilDate(year: year, month: 1, day: 1).daysSinceEpoch
            let last = CivilDate(year: year, month: 12, day: 31).daysSinceEpoch
            for day in first...last {
                let date = CivilDate(daysSinceEpoch: day)
                switch CMECalendar.status(of: date) {
                case .regular: continue
                case .closed: closed += 1
                case .earlyClose(let minute): if minute == 12 * 60 { noonCloses += 1 }
                }
                XCTAssertTrue(date.isWeekday, date.description)
            }
            XCTAssertEqual(closed, CivilDate(year: year, month: 1, day: 1).weekday == 6 ? 2 : 3, "\(year)")
            XCTAssertEqual(noonCloses, year >= 2022 ? 7 : 6, "\(year)")
        }
    }

    func testSessionsSkipClosuresAndEndEarly() {
        let days = sessions("2013-11-27", "2013-12-02")
        XCTAssertEqual(days.map(\.tradeDateString), ["2013-11-27", "2013-11-28", "2013-11-29", "2013-12-02"])
        // Thanksgiving opens the evening before as usual and halts at 12:00 CST = 18:00 UTC.
        XCTAssertEqual(days[1].open, utc("2013-11-27T23:00"))
        XCTAssertEqual(days[1].close, utc("2013-11-28T18:00"))
        XCTAssertEqual(days[1].regularOpen, utc("2013-11-28T14:30"))
        XCTAssertEqual(days[1].regularClose, utc("2013-11-28T18:00"))
        // The next session reopens 17:00 CT on the holiday.
        XCTAssertEqual(days[2].open, utc("2013-11-28T23:00"))
        XCTAssertEqual(days[2].close, utc("2013-11-29T18:15"))
        XCTAssertEqual(days[3].close, utc("2013-12-02T22:00"))

        let christmas = sessions("2013-12-23", "2013-12-27")
        XCTAssertEqual(christmas.map(\.tradeDateString), ["2013-12-23", "2013-12-24", "2013-12-26", "2013-12-27"])
        XCTAssertEqual(christmas[1].close, utc("2013-12-24T18:15"))
        // The session after the closure opens 17:00 CT the previous (closed) evening.
        XCTAssertEqual(christmas[2].open, utc("2013-12-25T23:00"))
        XCTAssertEqual(christmas[2].close, utc("2013-12-26T22:00"))

        // New Year's Day 2017 on a Sunday: Tuesday's session opens Monday 17:00 CT.
        let newYear = sessions("2016-12-30", "2017-01-03")
        XCTAssertEqual(newYear.map(\.tradeDateString), ["2016-12-30", "2017-01-03"])
        XCTAssertEqual(newYear[1].open, utc("2017-01-02T23:00"))

        // Good Friday 2024: Monday's session opens Sunday as every week.
        let easter = sessions("2024-03-28", "2024-04-01")
        XCTAssertEqual(easter.map(\.tradeDateString), ["2024-03-28", "2024-04-01"])
        XCTAssertEqual(easter[1].open, utc("2024-03-31T22:00"))

        // Observed Independence Day 2026 in daylight time: 12:00 CDT = 17:00 UTC.
        let july = sessions("2026-07-03", "2026-07-03")
        XCTAssertEqual(july.map(\.close), [utc("2026-07-03T17:00")])
    }

    func testRegularHoursNeverOutlastAnEarlyClose() {
        // Metals' regular hours end 12:30 CT, after both early closes.
        let metals = sessions("2013-11-28", "2013-11-29", of: .cmeMetals)
        XCTAssertEqual(metals.map(\.regularClose), [utc("2013-11-28T18:00"), utc("2013-11-29T18:15")])
        XCTAssertEqual(metals.map(\.close), metals.map(\.regularClose))
        // On a regular day they end at 12:30 CT.
        XCTAssertEqual(sessions("2013-12-02", "2013-12-02", of: .cmeMetals)[0].regularClose, utc("2013-12-02T18:30"))
        // Energy: regular hours 08:00–13:30 CT cut to the 12:00 halt.
        XCTAssertEqual(sessions("2020-01-20", "2020-01-20", of: .cmeEnergy)[0].regularClose, utc("2020-01-20T18:00"))
    }

    func testCalendarsBelongToTheirSessions() {
        XCTAssertEqual(TradingSession.cmeEquityIndex.holidayCalendar, .cme)
        XCTAssertEqual(TradingSession.cmeEnergy.holidayCalendar, .cme)
        XCTAssertEqual(TradingSession.cmeMetals.holidayCalendar, .cme)
        // NYSE holidays are not modelled: Christmas is an ordinary weekday for equities.
        XCTAssertEqual(TradingSession.usEquities.holidayCalendar, .none)
        XCTAssertEqual(sessions("2013-12-25", "2013-12-25", of: .usEquities).count, 1)
        // A session built without naming a calendar has none.
        let plain = TradingSession(
            name: "plain", timeZoneIdentifier: "America/Chicago", openMinute: 17 * 60, closeMinute: 16 * 60,
            opensPreviousDay: true, regularOpenMinute: 8 * 60 + 30, regularCloseMinute: 15 * 60)
        XCTAssertEqual(plain.holidayCalendar, .none)
        XCTAssertEqual(plain.sessions(fromDay: CivilDate("2013-12-25")!.daysSinceEpoch,
                                      throughDay: CivilDate("2013-12-25")!.daysSinceEpoch).count, 1)
    }

    func testCalendarRoundTripsThroughCodable() throws {
        let data = try JSONEncoder().encode(TradingSession.cmeMetals)
        XCTAssertEqual(try JSONDecoder().decode(TradingSession.self, from: data), .cmeMetals)
    }

    /// Bars around Thanksgiving and Christmas 2013 (made by hand: the real ES file has
    /// no bars on those dates, see below): bars after the early close and a stray bar
    /// on the closed date stay with the latest session that opened before them.
    func testSessionMapAroundHolidays() throws {
        let ts = [
            utc("2013-11-28T17:59"),  // last minute before the 12:00 CT halt
            utc("2013-11-28T18:30"),  // a stray print after the halt: still Thanksgiving's
            utc("2013-11-28T23:00"),  // 17:00 CT: the day after's session
            utc("2013-12-24T18:14"),
            utc("2013-12-25T16:00"),  // a stray print on the closed date: Christmas Eve's
            utc("2013-12-25T23:00"),  // 17:00 CT on Christmas: Dec 26's session
        ]
        let ones = [Double](repeating: 1, count: ts.count)
        let bars = try BarSeries(timeframe: .m1, timestamps: ts, open: ones, high: ones, low: ones, close: ones,
                                 volume: ones)
        let map = SessionMap(bars: bars, session: .cmeEquityIndex)
        XCTAssertEqual(map.days.map(\.tradeDateString), ["2013-11-28", "2013-11-29", "2013-12-24", "2013-12-26"])
        XCTAssertEqual(map.firstBar, [0, 2, 3, 5])
        XCTAssertEqual(map.endBar, [2, 3, 5, 6])
        XCTAssertEqual(map.leadingUnassigned, 0)
    }

    /// The real ES file: none of its trade dates is a CME holiday or early close, so the
    /// calendar must leave every session and every bar's attribution exactly as the
    /// weekly template had them.
    func testRealESSessionsAreUntouchedByTheCalendar() throws {
        let minute = try RealES.minuteBars()
        let withCalendar = SessionMap(bars: minute, session: .cmeEquityIndex)
        let t = TradingSession.cmeEquityIndex
        let template = TradingSession(
            name: t.name, timeZoneIdentifier: t.timeZoneIdentifier, openMinute: t.openMinute,
            closeMinute: t.closeMinute, opensPreviousDay: t.opensPreviousDay,
            regularOpenMinute: t.regularOpenMinute, regularCloseMinute: t.regularCloseMinute, holidayCalendar: .none)
        let withoutCalendar = SessionMap(bars: minute, session: template)
        XCTAssertEqual(withCalendar.days.count, 20)
        XCTAssertEqual(withCalendar.days, withoutCalendar.days)
        XCTAssertEqual(withCalendar.firstBar, withoutCalendar.firstBar)
        XCTAssertEqual(withCalendar.endBar, withoutCalendar.endBar)
        for day in withCalendar.days {
            XCTAssertEqual(CMECalendar.status(ofTradeDate: Int(day.tradeDate)), .regular, day.tradeDateString)
        }
        // Why the holiday checks above use hand-made bars: the file stops on 2013-11-18
        // and 2013-12-20 and resumes on 2013-12-02 and 2020-01-05.
        let holidayWeek = utc("2013-11-25T00:00")..<utc("2013-12-01T00:00")
        let christmasWeek = utc("2013-12-23T00:00")..<utc("2013-12-28T00:00")
        XCTAssertFalse(minute.timestamps.contains { holidayWeek.contains($0) || christmasWeek.contains($0) })
    }
}
