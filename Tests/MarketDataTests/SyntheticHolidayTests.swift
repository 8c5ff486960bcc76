import Foundation
import Market
import MarketData
import TestSupport
import XCTest

/// The synthetic source follows the instrument's exchange calendar, because its
/// sessions come from `TradingSession.sessions(fromDay:throughDay:)`.
final class SyntheticHolidayTests: XCTestCase {
    func testThanksgivingAndChristmas2013() throws {
        let bars = try SyntheticBarSource(seed: 1).fetchBars(BarRequest(
            instrument: Instruments.spec("ES")!, timeframe: .m1, from: date("2013-11-27T00:00:00Z"),
            to: date("2013-12-28T00:00:00Z"))).bars
        let map = SessionMap(bars: bars, session: .cmeEquityIndex)
        let trade = map.days.map(\.tradeDateString)
        XCTAssertFalse(trade.contains("2013-12-25"))
        // Thanksgiving's last bar starts before the 12:00 CT (18:00 UTC) halt.
        let k = try XCTUnwrap(trade.firstIndex(of: "2013-11-28"))
        XCTAssertLessThan(bars.timestamps[map.endBar[k] - 1], epoch("2013-11-28T18:00:00Z"))
        XCTAssertEqual(bars.timestamps[map.endBar[k] - 1], epoch("2013-11-28T17:59:00Z"))
        // Nothing between the Christmas Eve halt (12:15 CT) and 17:00 CT on Christmas.
        XCTAssertFalse(bars.timestamps.contains {
            $0 >= epoch("2013-12-24T18:15:00Z") && $0 < epoch("2013-12-25T23:00:00Z")
        })
    }
}
