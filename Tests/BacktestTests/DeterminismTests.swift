import XCTest
@testable import Backtest
@testable import Market

final class DeterminismTests: XCTestCase {
    func testSameInputsGiveByteIdenticalJSON() throws {
        let bars = try Fixture.esBars(.m5)
        for slug in ["orb-15-mnq-5m", "zscore-revert-mes-5m", "gap-fade-es-5m"] {
            let archetype = try XCTUnwrap(Archetypes.named(slug))
            let request = BacktestRequest(archetype: archetype, params: archetype.defaults,
                                          instrument: Instruments.spec("ES")!, bars: bars, dataSource: "file",
                                          windowFrom: "2013-10-06", windowTo: "2020-01-07")
            let first = try Backtester.run(request).jsonData()
            let second = try Backtester.run(request).jsonData()
            XCTAssertEqual(first, second, slug)
            let text = String(decoding: first, as: UTF8.self)
            XCTAssertNil(text.range(of: #"[:,\[]-?(nan|inf|NaN|Infinity)"#, options: .regularExpression), slug)
            XCTAssertTrue(text.contains(#""params_hash":""#), slug)
            XCTAssertTrue(text.contains(#""exit_reason":""#) || !text.contains(#""trades":[{"#), slug)
            // Round trip: decoding and re-encoding gives the same bytes.
            XCTAssertEqual(try BacktestResult.decode(first).jsonData(), first, slug)
        }
    }

    /// `.metrics` (walk-forward slices, research cells) leaves out only the trade list
    /// and the curve: the figures are the full run's, to the bit.
    func testAFiguresOnlyResultHasTheFullResultsFigures() throws {
        let bars = try Fixture.esBars(.m5)
        for archetype in Archetypes.all where archetype.timeframe == .m5 {
            let request = BacktestRequest(archetype: archetype, params: archetype.defaults,
                                          instrument: Instruments.spec("ES")!, bars: bars, dataSource: "file")
            let full = try Backtester.run(request)
            let figures = try Backtester.run(request, detail: .metrics)
            XCTAssertEqual(figures.metrics, full.metrics, archetype.slug)
            XCTAssertEqual(figures.daily, full.daily, archetype.slug)
            XCTAssertEqual(figures.provenance, full.provenance, archetype.slug)
            XCTAssertTrue(figures.trades.isEmpty && figures.equityCurve.isEmpty, archetype.slug)
        }
    }
}
