import Foundation
import XCTest
@testable import Market

/// Resampling the real CME ES 1-minute file (../shared/data/es-1m): buckets align to the
/// 17:00 CT session open, never span the daily break, and conserve volume and extremes.
final class RealDataResampleTests: XCTestCase {
    func testRealESResamplesOnSessionBoundaries() throws {
        let minute = try RealES.minuteBars()
        XCTAssertEqual(minute.count, 19_083)
        let session = TradingSession.cmeEquityIndex
        for timeframe in [Timeframe.m5, .m15, .h1] {
            let bars = try minute.resampled(to: timeframe, session: session)
            XCTAssertEqual(bars.volume.reduce(0, +), minute.volume.reduce(0, +), timeframe.rawValue)
            XCTAssertEqual(bars.high.max(), minute.high.max())
            XCTAssertEqual(bars.low.min(), minute.low.min())
            let map = SessionMap(bars: bars, session: session)
            XCTAssertEqual(map.leadingUnassigned, 0)
            for k in 0..<map.days.count {
                let day = map.days[k]
                for i in map.firstBar[k]..<map.endBar[k] {
                    XCTAssertEqual((bars.timestamps[i] - day.open) % Int64(timeframe.seconds), 0)
                    // No bucket straddles the 16:00 CT close.
                    let end = bars.timestamps[i] + Int64(timeframe.seconds)
                    XCTAssertFalse(bars.timestamps[i] < day.close && end > day.close, "\(isoUTC(bars.timestamps[i]))")
                }
            }
            // Re-validates: the resampled series obeys every bar rule.
            XCTAssertNoThrow(try BarSeries(timeframe: timeframe, timestamps: bars.timestamps, open: bars.open,
                                           high: bars.high, low: bars.low, close: bars.close, volume: bars.volume))
        }
        // 20 Globex trade dates hold the file's 16 UTC calendar days.
        XCTAssertEqual(SessionMap(bars: minute, session: session).days.count, 20)
    }
}
