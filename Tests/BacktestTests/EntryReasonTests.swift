import Foundation
import XCTest
@testable import Backtest
@testable import Market

/// Every trade names the rule that admitted it, and the numbers it quotes satisfy the
/// comparison it states ("close 5012.50 > range high 5012.25"), for every starter
/// archetype on real ES bars: a reason that merely looked plausible would fail here.
final class EntryReasonTests: XCTestCase {
    private static let comparison = try! NSRegularExpression(
        pattern: #"(-?\d+(?:\.\d+)?) (>|<|≤|≥) [^\d]*?(-?\d+(?:\.\d+)?)"#)

    func testEveryTradeStatesARuleItsNumbersSatisfy() throws {
        let es = Instruments.spec("ES")!
        var families: Set<String> = []
        for archetype in Archetypes.all {
            let bars = try Fixture.esBars(archetype.timeframe)
            let request = BacktestRequest(archetype: archetype, params: archetype.defaults, instrument: es, bars: bars,
                                          dataSource: "file", windowFrom: "2013-10-06", windowTo: "2020-01-07")
            let trades = try Backtester.run(request).trades
            XCTAssertFalse(trades.isEmpty, "\(archetype.slug) made no trade to explain")
            for trade in trades {
                let text = trade.entryReason
                let range = NSRange(text.startIndex..., in: text)
                guard let match = Self.comparison.firstMatch(in: text, range: range),
                      let value = Double(text[Range(match.range(at: 1), in: text)!]),
                      let level = Double(text[Range(match.range(at: 3), in: text)!]) else {
                    XCTFail("\(archetype.slug): no comparison in “\(text)”")
                    continue
                }
                // Printed at tick (or 0.01) precision, so a strict comparison may print as equal.
                let holds = switch text[Range(match.range(at: 2), in: text)!] {
                case ">", "≥": value >= level
                default: value <= level
                }
                XCTAssertTrue(holds, "\(archetype.slug) \(trade.side): “\(text)”")
                families.insert(String(text.prefix { $0 != ":" }))
            }
        }
        XCTAssertGreaterThanOrEqual(families.count, 8, "rules seen: \(families.sorted())")
    }

    func testTheBreakoutReasonReadsLikeTheRule() {
        let reason = EntryReason(.rangeBreakoutAbove, 5012.5, 5012.25)
        XCTAssertEqual(reason.text(Instruments.spec("ES")!), "breakout: close 5012.50 > range high 5012.25")
        XCTAssertEqual(EntryReason(.zscoreBelow, -2.134, 2).text(Instruments.spec("MES")!),
                       "z-score: z -2.13 ≤ -2.00 (entry_z 2.00) below the rolling mean")
        XCTAssertEqual(Instruments.spec("CL")!.priceDecimals, 2)
        XCTAssertEqual(Instruments.spec("RTY")!.priceDecimals, 1)
        XCTAssertEqual(Instruments.spec("YM")!.priceDecimals, 0)
    }
}
