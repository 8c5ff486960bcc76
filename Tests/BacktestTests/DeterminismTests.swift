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
}
