import XCTest
@testable import Market

final class SessionTests: XCTestCase {
    private func epoch(_ text: String) -> Int64 {
        // "YYYY-MM-DDTHH:MM" UTC
        let date = CivilDate(String(text.prefix(10)))!
        let hour = Int64(text.dropFirst(11).prefix(2))!, minute = Int64(text.dropFirst(14).prefix(2))!
        return Int64(date.daysSinceEpoch) * 86_400 + hour * 3600 + minute * 60
    }

    func testCivilDateRoundTripAndWeekday() {
        XCTAssertEqual(CivilDate(daysSinceEpoch: 0).description, "1970-01-01")
        XCTAssertEqual(CivilDate(daysSinceEpoch: 0).weekday, 4)
        XCTAssertEqual(CivilDate("2013-10-06")?.weekday, 0)
        XCTAssertEqual(CivilDate("2020-01-06")?.weekday, 1)
        XCTAssertEqual(CivilDate("2024-02-29")?.daysSinceEpoch, 19_782)
        XCTAssertNil(CivilDate("2023-02-29"))
        XCTAssertNil(CivilDate("2023-2-1"))
        XCTAssertEqual(CivilDate(daysSinceEpoch: -1).description, "1969-12-31")
        XCTAssertEqual(CivilDate(daysSinceEpoch: -1).weekday, 3)
        XCTAssertEqual(isoUTC(epoch("2013-10-06T22:01")), "2013-10-06T22:01:00Z")
    }

    /// Globex opens Sunday 17:00 CT: 22:00 UTC in daylight time, 23:00 UTC in standard time.
    func testGlobexBoundariesFollowDST() throws {
        let session = TradingSession.cmeEquityIndex
        let oct7 = CivilDate("2013-10-07")!.daysSinceEpoch
        let days = session.sessions(fromDay: oct7 - 1, throughDay: oct7 + 6)
        XCTAssertEqual(days.map(\.tradeDateString), ["2013-10-07", "2013-10-08", "2013-10-09", "2013-10-10", "2013-10-11"])
        let monday = days[0]
        XCTAssertEqual(monday.open, epoch("2013-10-06T22:00"))
        XCTAssertEqual(monday.close, epoch("2013-10-07T21:00"))
        XCTAssertEqual(monday.regularOpen, epoch("2013-10-07T13:30"))
        XCTAssertEqual(monday.regularClose, epoch("2013-10-07T20:00"))

        // DST ended Sunday 2013-11-03 at 02:00 CDT.
        let nov4 = CivilDate("2013-11-04")!.daysSinceEpoch
        let winter = session.sessions(fromDay: nov4, throughDay: nov4)[0]
        XCTAssertEqual(winter.open, epoch("2013-11-03T23:00"))
        XCTAssertEqual(winter.regularOpen, epoch("2013-11-04T14:30"))
        XCTAssertEqual(winter.close, epoch("2013-11-04T22:00"))

        // DST began Sunday 2014-03-09 at 02:00 CST; that evening's open is 17:00 CDT.
        let mar10 = CivilDate("2014-03-10")!.daysSinceEpoch
        let spring = session.sessions(fromDay: mar10, throughDay: mar10)[0]
        XCTAssertEqual(spring.open, epoch("2014-03-09T22:00"))
        let friday = session.sessions(fromDay: mar10 - 3, throughDay: mar10 - 3)[0]
        XCTAssertEqual(friday.close, epoch("2014-03-07T22:00"))  // 16:00 CST

        let equities = TradingSession.usEquities.sessions(fromDay: CivilDate("2023-01-03")!.daysSinceEpoch,
                                                          throughDay: CivilDate("2023-01-03")!.daysSinceEpoch)[0]
        XCTAssertEqual(equities.open, epoch("2023-01-03T14:30"))
        XCTAssertEqual(equities.close, epoch("2023-01-03T21:00"))
    }

    func testSessionMapAssignsTailBarsToTheirSession() throws {
        // Friday 15:58 CT, 16:05 CT (after-close tail), then Sunday 17:00 CT (Monday's session).
        let ts = [epoch("2013-10-11T20:58"), epoch("2013-10-11T21:05"), epoch("2013-10-13T22:00")]
        let bars = try BarSeries(timeframe: .m1, timestamps: ts, open: [1, 1, 1], high: [1, 1, 1],
                                 low: [1, 1, 1], close: [1, 1, 1], volume: [0, 0, 0])
        let map = SessionMap(bars: bars, session: .cmeEquityIndex)
        XCTAssertEqual(map.days.map(\.tradeDateString), ["2013-10-11", "2013-10-14"])
        XCTAssertEqual(map.firstBar, [0, 2])
        XCTAssertEqual(map.endBar, [2, 3])
    }
}
