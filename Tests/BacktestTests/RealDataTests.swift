import XCTest
@testable import Backtest
@testable import Market

/// Every archetype on real CME ES 1-minute bars (../shared/data/es-1m), resampled to the
/// archetype's timeframe and traded as ES.
final class RealDataTests: XCTestCase {
    private func run(_ archetype: Archetype, bars: BarSeries, params: ParamValues? = nil) throws -> BacktestResult {
        try Backtester.run(BacktestRequest(
            archetype: archetype, params: params ?? archetype.defaults, instrument: Instruments.spec("ES")!,
            bars: bars, dataSource: "file"))
    }

    func testEveryFamilyRunsOnRealESData() throws {
        let oneMinute = try Fixture.esBars(.m1)
        let fiveMinute = try Fixture.esBars(.m5)
        XCTAssertEqual(oneMinute.count, 19_083)
        var tradesByFamily: [Family: Int] = [:]
        for archetype in Archetypes.all {
            let bars = archetype.timeframe == .m1 ? oneMinute : fiveMinute
            let result = try run(archetype, bars: bars)
            let p = result.provenance
            XCTAssertEqual(p.instrument, "ES")
            XCTAssertEqual(p.tickSize, 0.25)
            XCTAssertEqual(p.multiplier, 50)
            XCTAssertGreaterThanOrEqual(p.barsTested, 1000)
            XCTAssertEqual(p.dataSource, "file")
            XCTAssertEqual(p.barFingerprint, bars.fingerprint)
            XCTAssertEqual(p.paramsHash, archetype.defaults.hash)
            XCTAssertEqual(p.engineVersion, engineVersion)
            // 16 UTC calendar days hold 20 Globex trade dates (evening opens belong to the
            // next date); 14 of them have regular-hours bars.
            XCTAssertEqual(p.sessionsTested, 14, archetype.slug)
            XCTAssertEqual(result.daily.count, 14, archetype.slug)
            XCTAssertEqual(result.metrics.totalTrades, result.trades.count)
            XCTAssertLessThanOrEqual(result.equityCurve.count, EquityCurve.maxPoints)
            for trade in result.trades {
                XCTAssertEqual(trade.entryPrice.truncatingRemainder(dividingBy: 0.25), 0, archetype.slug)
                XCTAssertEqual(trade.exitPrice.truncatingRemainder(dividingBy: 0.25), 0, archetype.slug)
                XCTAssertEqual(trade.pnl, trade.grossPnL - trade.commission, accuracy: 1e-9)
            }
            let dailyTrades = result.daily.map(\.trades)
            let cap = archetype.defaults.int("max_trades_per_day")
            XCTAssertTrue(dailyTrades.allSatisfy { $0 <= cap }, "\(archetype.slug) exceeded its daily trade cap")
            tradesByFamily[archetype.family, default: 0] += result.trades.count
            assertFinite(result.metrics, archetype.slug)
        }
        XCTAssertGreaterThan(tradesByFamily[.openingRange] ?? 0, 0)
        XCTAssertGreaterThan(tradesByFamily[.meanReversion] ?? 0, 0)
        for family in Family.allCases {
            XCTAssertNotNil(tradesByFamily[family], "\(family) did not run")
        }
    }

    func testEveryArchetypeTradesOnRealESData() throws {
        // Each archetype produces at least one trade on 16 days of ES, so the no-lookahead
        // checks below are not vacuous.
        for archetype in Archetypes.all {
            let bars = try Fixture.esBars(archetype.timeframe)
            XCTAssertGreaterThan(try run(archetype, bars: bars).trades.count, 0, archetype.slug)
        }
    }

    func testSingleDayGivesSharpeZero() throws {
        let bars = try Fixture.esBars(.m1)
        // 2013-10-08: from the Monday 17:00 CT open to the Tuesday 16:00 CT close.
        let open = Int64(CivilDate("2013-10-07")!.daysSinceEpoch) * 86_400 + 22 * 3600
        let day = bars.window(from: open, to: open + 23 * 3600)
        let result = try run(try XCTUnwrap(Archetypes.named("vwap-revert-es-1m")), bars: day)
        XCTAssertEqual(result.provenance.sessionsTested, 1)
        XCTAssertGreaterThan(result.trades.count, 0)
        XCTAssertNotEqual(result.metrics.netProfit, 0)
        XCTAssertEqual(result.metrics.sharpe, 0)
        XCTAssertEqual(result.metrics.sortino, 0)
    }

    func testNoTradesGivesAllZeroMetricsEndToEnd() throws {
        // A dead-flat market: the opening range has no height, so nothing trades.
        let flat = try Fixture.bars(Array(repeating: (4000, 4000, 4000, 4000), count: 120))
        let result = try run(try XCTUnwrap(Archetypes.named("orb-30-es-1m")), bars: flat)
        XCTAssertTrue(result.trades.isEmpty)
        XCTAssertEqual(result.metrics, Metrics())
        XCTAssertEqual(result.equityCurve.count, 1)
        XCTAssertEqual(result.daily.map(\.pnl), [0])
    }

    func testGlobexWindowTradesOvernight() throws {
        let vwap = try XCTUnwrap(Archetypes.named("vwap-revert-es-1m"))
        var params = vwap.defaults
        params["session"] = .text("globex")
        // "globex" is outside this archetype's bounds: a request must say so.
        XCTAssertThrowsError(try vwap.params(fromJSON: #"{"session":"globex"}"#))
        let bars = try Fixture.esBars(.m1)
        let result = Backtester.simulateFamily(
            .meanReversion, params: params, bars: bars,
            plan: DayPlan.build(bars: bars, session: .cmeEquityIndex, regularHours: false),
            rules: TradingRules(params), instrument: Instruments.spec("ES")!, costs: .standard(for: Instruments.spec("ES")!))
        // Some entries fall outside regular hours (13:30–21:00 UTC covers them in both seasons).
        let overnight = result.trades.filter {
            let secondOfDay = bars.timestamps[$0.entryIndex] % 86_400
            return secondOfDay < 13 * 3600 + 1800 || secondOfDay >= 21 * 3600
        }
        XCTAssertGreaterThan(overnight.count, 0)
    }

    private func assertFinite(_ m: Metrics, _ label: String) {
        let data = try? JSONEncoder().encode(m)
        XCTAssertNotNil(data, label)
        for value in [m.sharpe, m.sortino, m.profitFactor, m.sqn, m.maxDrawdown, m.pnlToDrawdown, m.winLossRatio] {
            XCTAssertTrue(value.isFinite, label)
        }
    }
}
