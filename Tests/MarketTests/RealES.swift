import Foundation
import XCTest
@testable import Market

/// The real CME ES 1-minute file beside the repository (../shared/data/es-1m), read
/// without MarketData so MarketTests depends on Market only.
enum RealES {
    static let url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data/es-1m/ES_front_month_1m_utc.csv")

    static func minuteBars() throws -> BarSeries {
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
}
