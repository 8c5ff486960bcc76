import Foundation
import XCTest
@testable import Market

/// Resampling the real CME ES 1-minute file (../shared/data/es-1m): buckets align to the
/// 17:00 CT session open, never span the daily break, and conserve volume and extremes.
final class RealDataResampleTests: XCTestCase {
    private func loadES() throws -> BarSeries {
        let url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data/es-1m/ES_front_month_1m_utc.csv")
        let text = try String(contentsOf: url, encoding: .utf8)
        var ts: [Int64] = [], o: [Double] = [], h: [Double] = [], l: [Double] = [], c: [Double] = [], v: [Double] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            let date = try XCTUnwrap(CivilDate(String(f[0].prefix(10))))
            let hour = try XCTUnwrap(Int64(f[0].dropFirst(11).prefix(2)))
            let minute = try XCTUnwrap(Int64(f[0].dropFirst(14).prefix(2)))
            ts.append(Int64(date.daysSinceEpoch) * 86_400 + hour * 3600 + minute * 60)
            o.append(Double(f[2])!); h.append(Double(f[3])!); l.append(Double(f[4])!); c.append(Double(f[5])!)
            v.append(Double(f[6])!)
        }
        return try BarSeries(timeframe: .m1, timestamps: ts, open: o, high: h, low: l, close: c, volume: v)
    }

    func testRealESResamplesOnSessionBoundaries() throws {
        let minute = try loadES()
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
