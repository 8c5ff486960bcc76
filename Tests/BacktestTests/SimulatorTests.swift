import XCTest
@testable import Backtest
@testable import Market

/// Hand-computed fills and USD arithmetic (DESIGN.md §6). Bars are 1-minute ES or MNQ
/// bars from the 08:30 CT open of 2013-10-07.
final class SimulatorTests: XCTestCase {
    private let es = Instruments.spec("ES")!
    private let mnq = Instruments.spec("MNQ")!

    func testStopAndTargetInTheSameBarFillsTheStop() throws {
        let bars = try Fixture.bars([
            (4000, 4001, 3999, 4000),
            (4000.25, 4004, 3997, 4001),  // touches the stop 3998 and the target 4003
            (4001, 4002, 4000, 4001),
        ])
        let (out, _) = Fixture.simulateScript([0: Fixture.long(stop: .price(3998), target: .price(4003))], bars: bars)
        XCTAssertEqual(out.trades.count, 1)
        let trade = try XCTUnwrap(out.trades.first)
        XCTAssertEqual(trade.reason, .stop)
        XCTAssertEqual(trade.entryIndex, 1)
        XCTAssertEqual(trade.entryPrice, 4000.25)
        XCTAssertEqual(trade.exitPrice, 3998)
        // -9 ticks × $12.50 - 2 × $2.15
        XCTAssertEqual(netPnL(trade, instrument: es, costs: .standard(for: es)), -116.8, accuracy: 1e-9)
    }

    func testGapThroughTheStopFillsAtTheOpen() throws {
        let bars = try Fixture.bars([
            (4000, 4001, 3999, 4000),
            (4000, 4001, 3999, 4000),
            (3995, 3996, 3990, 3992),  // opens below the 3998 stop
        ])
        let (out, _) = Fixture.simulateScript([0: Fixture.long(stop: .price(3998))], bars: bars, slippageTicks: 1)
        let trade = try XCTUnwrap(out.trades.first)
        XCTAssertEqual(trade.reason, .stop)
        XCTAssertEqual(trade.entryPrice, 4000.25)  // open + 1 tick
        XCTAssertEqual(trade.exitPrice, 3994.75)  // the open - 1 tick, not the stop
        XCTAssertEqual(trade.slippageTicks, 2)
        // (3994.75 - 4000.25) / 0.25 = -22 ticks × $12.50 = -275; - $4.30 commission
        XCTAssertEqual(netPnL(trade, instrument: es, costs: .standard(for: es)), -279.3, accuracy: 1e-9)
    }

    func testMNQSlippageAndCommissionInUSD() throws {
        let bars = try Fixture.bars([
            (15000, 15001, 14999, 15000),
            (15000, 15004, 14999, 15003),
            (15003, 15012, 15002, 15011),  // reaches the 15010 target
        ])
        let costs = CostModel(commissionPerSide: 0.57, slippageTicks: 1)
        let (out, _) = Fixture.simulateScript([0: Fixture.long(stop: .distance(10), target: .price(15010))],
                                              bars: bars, symbol: "MNQ", slippageTicks: 1)
        let trade = try XCTUnwrap(out.trades.first)
        XCTAssertEqual(trade.reason, .target)
        XCTAssertEqual(trade.entryPrice, 15000.25)
        XCTAssertEqual(trade.exitPrice, 15010)  // a limit: no slippage
        // 39 ticks × $0.50 = 19.50 gross; 2 × 0.57 = 1.14 commission; 18.36 net
        XCTAssertEqual(grossPnL(trade, instrument: mnq), 19.5, accuracy: 1e-9)
        XCTAssertEqual(commission(trade, costs: costs), 1.14, accuracy: 1e-9)
        XCTAssertEqual(netPnL(trade, instrument: mnq, costs: costs), 18.36, accuracy: 1e-9)
        XCTAssertEqual(out.dailyPnL, [18.36])
    }

    func testESShortTwoContractsWithTwoTicksSlippage() throws {
        let bars = try Fixture.bars([
            (4000, 4001, 3999, 4000),
            (4000, 4001, 3999, 4000.5),
            (4000.5, 4002.5, 3999, 4001),  // high reaches the 4002 stop
        ])
        let (out, _) = Fixture.simulateScript([0: Fixture.short(stop: .price(4002))], bars: bars,
                                              rules: Fixture.rules(contracts: 2), slippageTicks: 2)
        let trade = try XCTUnwrap(out.trades.first)
        XCTAssertEqual(trade.side, .short)
        XCTAssertEqual(trade.entryPrice, 3999.5)  // 4000 - 2 ticks
        XCTAssertEqual(trade.exitPrice, 4002.5)  // 4002 + 2 ticks
        XCTAssertEqual(trade.slippageTicks, 4)
        // -12 ticks × $12.50 × 2 = -300; commission 2 sides × 2 contracts × 2.15 = 8.60
        XCTAssertEqual(grossPnL(trade, instrument: es), -300, accuracy: 1e-9)
        XCTAssertEqual(netPnL(trade, instrument: es, costs: .standard(for: es)), -308.6, accuracy: 1e-9)
    }

    func testSignalFillsAtTheNextOpenNotTheSignalClose() throws {
        let bars = try Fixture.bars([
            (4000, 4011, 3999, 4010),
            (4005, 4006, 4004, 4005),
            (4005, 4006, 4004, 4006),
        ])
        let (out, _) = Fixture.simulateScript([0: Fixture.long(), 1: .exit], bars: bars)
        let trade = try XCTUnwrap(out.trades.first)
        XCTAssertEqual(trade.entryIndex, 1)
        XCTAssertEqual(trade.entryPrice, 4005)
        XCTAssertEqual(trade.reason, .signal)
        XCTAssertEqual(trade.exitIndex, 2)
        XCTAssertEqual(trade.exitPrice, 4005)  // bar 2's open
    }

    func testPositionIsFlatAtTheEndOfTheWindowAndNoEntriesOutsideIt() throws {
        // 14:57 ... 15:01 CDT; the regular-hours window closes at 15:00.
        let start = Fixture.rthOpen + (6 * 60 + 27) * 60
        let bars = try Fixture.bars(Array(repeating: (4000, 4001, 3999, 4000.5), count: 5), start: start)
        let (out, strategy) = Fixture.simulateScript([0: Fixture.long(), 3: Fixture.long()], bars: bars,
                                                     slippageTicks: 1)
        XCTAssertEqual(out.trades.count, 1)
        let trade = try XCTUnwrap(out.trades.first)
        XCTAssertEqual(trade.entryIndex, 1)
        XCTAssertEqual(trade.exitIndex, 2)  // the 14:59 bar ends at 15:00
        XCTAssertEqual(trade.reason, .sessionEnd)
        XCTAssertEqual(trade.exitPrice, 4000.25)  // its close - 1 tick
        XCTAssertEqual(strategy.seen.map(\.canEnter), [true, false, false, false, false])
    }

    func testSignalsBeforeTheWindowCannotEnter() throws {
        // 08:28 and 08:29 CDT, then 08:30 and 08:31.
        let bars = try Fixture.bars(Array(repeating: (4000, 4001, 3999, 4000), count: 4),
                                    start: Fixture.rthOpen - 120)
        let (out, strategy) = Fixture.simulateScript([0: Fixture.long(), 1: Fixture.long()], bars: bars)
        // The 08:28 signal is refused; the 08:29 signal fills at the 08:30 open.
        XCTAssertEqual(strategy.seen.map(\.canEnter), [false, true, false, false])
        XCTAssertEqual(out.trades.map(\.entryIndex), [2])
        XCTAssertEqual(out.trades.first?.reason, .sessionEnd)
    }

    func testMaxTradesPerDayAndTimeExit() throws {
        let bars = try Fixture.bars(Array(repeating: (4000, 4001, 3999, 4000), count: 8))
        let script: [Int: Decision] = [0: Fixture.long(), 4: Fixture.long(), 6: Fixture.long()]
        let (out, _) = Fixture.simulateScript(script, bars: bars, rules: Fixture.rules(maxTradesPerDay: 1, maxHoldBars: 2))
        XCTAssertEqual(out.trades.count, 1)
        let trade = try XCTUnwrap(out.trades.first)
        XCTAssertEqual(trade.reason, .time)
        XCTAssertEqual(trade.entryIndex, 1)
        XCTAssertEqual(trade.exitIndex, 3)  // decided at bar 2's close (2 bars held), filled at bar 3's open
    }

    func testEntryWithStopOnTheWrongSideIsCancelled() throws {
        let bars = try Fixture.bars([(4000, 4001, 3999, 4000), (3990, 3991, 3989, 3990), (3990, 3991, 3989, 3990)])
        let (out, _) = Fixture.simulateScript([0: Fixture.long(stop: .price(3995))], bars: bars)
        XCTAssertTrue(out.trades.isEmpty)
    }

    /// Drawdown counts an open position marked to each bar's close, not only closed trades.
    func testDrawdownMarksOpenPositionsToMarket() throws {
        let bars = try Fixture.bars([
            (4000, 4001, 3999, 4000),
            (4000, 4001, 3989, 3990),  // open trade down 10 points = $500
            (3990, 4006, 3990, 4005),  // last bar of the data: SESSION_END at 4005
        ])
        let (out, _) = Fixture.simulateScript([0: Fixture.long()], bars: bars)
        let trade = try XCTUnwrap(out.trades.first)
        XCTAssertEqual(trade.reason, .sessionEnd)
        XCTAssertEqual(netPnL(trade, instrument: es, costs: .standard(for: es)), 245.7, accuracy: 1e-9)
        XCTAssertEqual(out.maxDrawdown, 500, accuracy: 1e-9)
        let m = Metrics(MetricInputs(
            tradePnL: [245.7], tradeCommission: [4.3], tradeSlippage: [0], tradeHoldBars: [2], dailyPnL: [245.7],
            startingEquity: 50_000, barsTested: 3, barMinutes: 1, markedDrawdown: out.maxDrawdown))
        XCTAssertEqual(m.maxDrawdown, 500)
        XCTAssertEqual(m.maxDrawdownPercent, 1)
    }

    func testPricesRoundToTheTick() throws {
        let bars = try Fixture.bars([(2000.0, 2001, 1999, 2000), (2000.04, 2001, 1999, 2000), (2000, 2000.3, 1999, 2000)])
        let (out, _) = Fixture.simulateScript([0: Fixture.long(target: .distance(0.26))], bars: bars, symbol: "M2K")
        let trade = try XCTUnwrap(out.trades.first)
        XCTAssertEqual(trade.entryPrice, 2000.0, accuracy: 1e-9)  // 2000.04 → 2000.0
        XCTAssertEqual(trade.exitPrice, 2000.3, accuracy: 1e-9)  // 2000.26 → 2000.3
        XCTAssertEqual(grossPnL(trade, instrument: Instruments.spec("M2K")!), 1.5, accuracy: 1e-9)  // 3 ticks × $0.50
    }

    /// Not showing bars outside the window to a strategy that ignores them gives exactly
    /// the trades, daily PnL and marks of showing every bar, for every starter archetype
    /// on real ES minutes and five-minute bars, at its defaults and across its grid.
    func testSkippingBarsOutsideTheWindowChangesNothing() throws {
        let es = Instruments.spec("ES")!
        for archetype in Archetypes.all {
            let bars = try Fixture.esBars(archetype.timeframe)
            let grid = ParameterGrid(archetype: archetype, maxCells: 9).cells.map(\.params)
            for params in [archetype.defaults] + grid {
                let rules = TradingRules(params)
                let plan = DayPlan.plans(bars: bars, session: es.session, regularHours: rules.useRegularHours)
                let costs = CostModel.standard(for: es)
                let fast = Backtester.simulateFamily(archetype.family, params: params, bars: bars, plan: plan, rules: rules,
                                                     instrument: es, costs: costs)
                let reference = Backtester.simulateFamily(archetype.family, params: params, bars: bars, plan: plan,
                                                          rules: rules, instrument: es, costs: costs, exhaustive: true)
                XCTAssertFalse(reference.trades.isEmpty, archetype.slug)
                XCTAssertEqual(fast, reference, "\(archetype.slug) \(params.canonicalJSON)")
            }
        }
    }
}
