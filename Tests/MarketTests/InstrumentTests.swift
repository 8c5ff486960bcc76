import XCTest
@testable import Market

final class InstrumentTests: XCTestCase {
    func testContractFactsMatchCME() throws {
        let expected: [(String, Double, Double, Double)] = [
            ("ES", 50, 0.25, 12.5), ("MES", 5, 0.25, 1.25), ("NQ", 20, 0.25, 5), ("MNQ", 2, 0.25, 0.5),
            ("RTY", 50, 0.1, 5), ("M2K", 5, 0.1, 0.5), ("YM", 5, 1, 5), ("MYM", 0.5, 1, 0.5),
            ("CL", 1000, 0.01, 10), ("MCL", 100, 0.01, 1), ("GC", 100, 0.1, 10), ("MGC", 10, 0.1, 1),
        ]
        XCTAssertEqual(Instruments.all.count, expected.count)
        for (symbol, multiplier, tick, tickValue) in expected {
            let spec = try XCTUnwrap(Instruments.spec(symbol), symbol)
            XCTAssertEqual(spec.multiplier, multiplier, symbol)
            XCTAssertEqual(spec.tickSize, tick, symbol)
            XCTAssertEqual(spec.tickValue, tickValue, accuracy: 1e-12, symbol)
            XCTAssertEqual(spec.currency, "USD")
            XCTAssertEqual(spec.kind, .future)
        }
        XCTAssertEqual(Instruments.spec("mnq")?.commissionPerSide, 0.57)
        XCTAssertEqual(Instruments.spec("ES")?.commissionPerSide, 2.15)
        XCTAssertEqual(Instruments.spec("CL")?.commissionPerSide, 2.47)
        XCTAssertEqual(Instruments.spec("GC")?.exchange, "COMEX")
        XCTAssertNil(Instruments.spec("ZZ"))
    }

    func testEquitySpec() {
        let aapl = Instruments.equity("aapl")
        XCTAssertEqual(aapl.symbol, "AAPL")
        XCTAssertEqual(aapl.tickSize, 0.01)
        XCTAssertEqual(aapl.multiplier, 1)
        XCTAssertEqual(aapl.kind, .equity)
        XCTAssertEqual(aapl.session, .usEquities)
    }

    func testRoundToTick() throws {
        let m2k = try XCTUnwrap(Instruments.spec("M2K"))
        XCTAssertEqual(m2k.roundToTick(2012.349), 2012.3, accuracy: 1e-9)
        let es = try XCTUnwrap(Instruments.spec("ES"))
        XCTAssertEqual(es.roundToTick(4000.13), 4000.25)
        XCTAssertEqual(es.roundToTick(4000.12), 4000.0)
    }

    func testTimeframeSeconds() {
        XCTAssertEqual(Timeframe.allCases.map(\.seconds), [60, 300, 900, 3600])
        XCTAssertEqual(Timeframe(rawValue: "5m"), .m5)
    }
}
