import Market

/// Why a position was closed.
public enum ExitReason: String, Sendable, Codable, Hashable, CaseIterable {
    case stop = "STOP"
    case target = "TARGET"
    case time = "TIME"
    case sessionEnd = "SESSION_END"
    case signal = "SIGNAL"
    /// Flattened by the kill switch (paper only: `SimulationControls.forcedExits`).
    case killSwitch = "KILL_SWITCH"
}

/// One session day prepared before the run: its bars, its trading window and the
/// bars inside that window. Computed from the session calendar once per bar series
/// and window kind (`plans`): every parameter set run on the series shares them.
struct DayPlan {
    let context: SessionContext
    /// Bars of the session day: `first..<end`.
    let first: Int
    let end: Int
    /// Bars that start at or after the window open and end at or before its close.
    let windowFirst: Int
    let windowEnd: Int

    /// The plans of `bars`, built on the series' first request and then shared.
    static func plans(bars: BarSeries, session: TradingSession, regularHours: Bool) -> [DayPlan] {
        bars.memoized(Key(session: session, regularHours: regularHours)) {
            build(bars: bars, session: session, regularHours: regularHours)
        }
    }

    private struct Key: Hashable {
        let session: TradingSession
        let regularHours: Bool
    }

    static func build(bars: BarSeries, session: TradingSession, regularHours: Bool) -> [DayPlan] {
        let map = SessionMap(bars: bars, session: session)
        let width = Int64(bars.timeframe.seconds)
        let ts = bars.timestamps
        var plans: [DayPlan] = []
        plans.reserveCapacity(map.days.count)
        for k in 0..<map.days.count {
            let day = map.days[k]
            let open = regularHours ? day.regularOpen : day.open
            let close = regularHours ? day.regularClose : day.close
            var wFirst = map.firstBar[k]
            while wFirst < map.endBar[k], ts[wFirst] < open { wFirst += 1 }
            var wEnd = wFirst
            while wEnd < map.endBar[k], ts[wEnd] + width <= close { wEnd += 1 }
            plans.append(DayPlan(
                context: SessionContext(day: day, windowOpen: open, windowClose: close, barSeconds: width),
                first: map.firstBar[k], end: map.endBar[k], windowFirst: wFirst, windowEnd: wEnd))
        }
        return plans
    }
}

/// A closed trade in bar indices and tick-exact prices; converted to `Trade` for output.
struct TradeRecord: Equatable {
    let entryIndex: Int
    let exitIndex: Int
    let side: Side
    let entryPrice: Double
    let exitPrice: Double
    let contracts: Int
    let reason: ExitReason
    let entryReason: EntryReason
    /// Ticks of slippage paid across entry and exit.
    let slippageTicks: Int
    let day: Int
}

/// What a paper runner adds to a simulation of the bars so far (`Backtester.replay`):
/// the entry signals its risk limits refused, and whether the last day is still
/// trading. A batch backtest uses `.none`.
struct SimulationControls {
    /// Bar indexes whose entry signal was refused: the simulator acts as if none was made.
    var vetoedSignals: Set<Int> = []
    /// Bar indexes at whose close an open position must go (the kill switch): it exits
    /// at the next bar's open like an exit signal (reason SIGNAL).
    var forcedExits: Set<Int> = []
    /// The last planned day has not ended: its open position is not closed at its last
    /// bar unless that bar ends at the window's close (more bars are coming).
    var lastDayOpen = false

    static let none = SimulationControls()
}

/// The position and orders at the end of the last bar (for a paper runner: what it
/// holds and what it must submit before the next bar opens).
struct OpenState: Equatable {
    struct Position: Equatable {
        let side: Side
        let entryIndex: Int
        let entryPrice: Double
        /// ±infinity when absent.
        let stop: Double
        let target: Double
        let entryReason: EntryReason
    }

    struct Pending: Equatable {
        /// The bar whose close made the signal; the order fills at the next bar's open.
        let signalIndex: Int
        let order: EntryOrder
    }

    var position: Position?
    var pendingEntry: Pending?
    var pendingExit: ExitReason?
}

struct SimulationOutput: Equatable {
    var trades: [TradeRecord] = []
    /// After the last bar (see `OpenState`).
    var atEnd = OpenState()
    /// Net PnL (after commission) per planned day, in USD.
    var dailyPnL: [Double]
    /// Largest fall of equity from its running peak, USD, with open positions marked to
    /// each bar's close and closed trades counted after commission.
    var maxDrawdown = 0.0
    /// Per planned day, that marked equity (relative to the run's start): its highest
    /// and lowest value and its largest fall from a peak reached within the day. With
    /// these the drawdown of any run of days is exact without replaying bars
    /// (`DayMarks.maxDrawdown`), which walk-forward folds need.
    var marks: DayMarks

    init(days: Int) {
        dailyPnL = [Double](repeating: 0, count: days)
        marks = DayMarks(days: days)
    }
}

/// Marked equity per day, for the drawdown of a slice of days (see `SimulationOutput.marks`).
struct DayMarks: Equatable {
    var high: [Double]
    var low: [Double]
    var drawdownWithin: [Double]

    init(days: Int) {
        high = [Double](repeating: 0, count: days)
        low = high
        drawdownWithin = high
    }

    /// Largest fall from a running peak over `days`, the peak starting at the equity
    /// the slice starts with (`startEquity`, relative to the run's start). A bar's fall
    /// is from the earlier days' peak or from the day's own peak, so the slice's
    /// maximum is the larger of (peak before the day − the day's low) and the day's own.
    func maxDrawdown(days: Range<Int>, startEquity: Double) -> Double {
        var peak = startEquity
        var worst = 0.0
        for d in days {
            worst = max(worst, peak - low[d], drawdownWithin[d])
            peak = max(peak, high[d])
        }
        return worst
    }
}

/// The fill simulator (DESIGN.md §6). See docs/backtest-assumptions.md for the rules
/// in prose; the order of the steps below is part of the contract:
///
/// At each bar i of a session day:
///  1. a pending exit (SIGNAL/TIME) fills at bar i's open, slipped;
///  2. a pending entry fills at bar i's open, slipped, if bar i is in the window;
///     its stop and target are set and it is cancelled when either is already on
///     the wrong side of the open;
///  3. an open position meets its stop and target: a gap through the stop fills at
///     the open, a gap through the target at the open; otherwise a touched stop fills
///     at the stop (slipped) before a touched target fills at the target — so when a
///     bar touches both, the stop wins;
///  4. the strategy sees the closed bar and decides;
///  5. the time exit is checked;
///  6. on the last bar of the window an open position exits at that bar's close (SESSION_END).
///
/// `exhaustive` shows every bar even to a strategy that ignores bars outside its
/// window: the reference SimulatorTests compares the shortcut with.
func simulate<S: Strategy>(
    _ strategyState: inout S, bars: BarSeries, plan: [DayPlan], rules: TradingRules,
    instrument: Instrument, costs: CostModel, exhaustive: Bool = false, controls: SimulationControls = .none
) -> SimulationOutput {
    guard !plan.isEmpty else { return SimulationOutput(days: 0) }
    // A local copy, written back at the end: through the inout reference its fields
    // were loaded and stored around every bar; a local can live in registers.
    var strategy = strategyState
    defer { strategyState = strategy }
    let tick = instrument.tickSize
    let slipTicks = costs.slippageTicks
    let slip = Double(slipTicks) * tick
    let contracts = rules.contracts
    let maxHold = rules.maxHoldBars
    let lastEntrySeconds = Int64(rules.lastEntryMinutes) * 60

    // The six columns are pinned for the whole run (one scope each, not indented) so the
    // loop reads raw memory: no bounds checks, retains or copies per bar. The output is
    // made inside them: a variable captured from outside the closures had its every
    // access checked for exclusivity at run time (swift_beginAccess, 4% of a run).
    return bars.timestamps.withUnsafeBufferPointer { tsBuffer -> SimulationOutput in
    bars.open.withUnsafeBufferPointer { oBuffer -> SimulationOutput in
    bars.high.withUnsafeBufferPointer { hBuffer -> SimulationOutput in
    bars.low.withUnsafeBufferPointer { lBuffer -> SimulationOutput in
    bars.close.withUnsafeBufferPointer { cBuffer -> SimulationOutput in
    bars.volume.withUnsafeBufferPointer { vBuffer -> SimulationOutput in
        var output = SimulationOutput(days: plan.count)
        guard let ts = tsBuffer.baseAddress, let o = oBuffer.baseAddress, let h = hBuffer.baseAddress,
              let l = lBuffer.baseAddress, let c = cBuffer.baseAddress, let v = vBuffer.baseAddress
        else { return output }
        let columns = BarColumns(ts: ts, o: o, h: h, l: l, c: c, v: v)

        // Position state. Absent levels are ±infinity so the comparisons need no branches.
        var direction = 0
        var side = Side.long
        var entryPrice = 0.0
        var stop = 0.0
        var target = 0.0
        var entryIndex = 0
        var entrySlipTicks = 0
        var entryReason = EntryReason(.rangeBreakoutAbove, 0, 0)  // set with every fill
        var pendingEntry: EntryOrder?
        var pendingSignal = 0
        var pendingExit: ExitReason?
        // Equity relative to the start, for the drawdown: realised PnL, its running peak.
        var realized = 0.0
        var peak = 0.0
        let pointValue = instrument.multiplier * Double(contracts)

        // The same, within the current day.
        var dayHigh = 0.0, dayLow = 0.0, dayPeak = 0.0, dayDrawdown = 0.0

        @inline(__always) func mark(_ equity: Double) {
            if equity > peak {
                peak = equity
            } else if peak - equity > output.maxDrawdown {
                output.maxDrawdown = peak - equity
            }
            if equity > dayPeak {
                dayPeak = equity
            } else if dayPeak - equity > dayDrawdown {
                dayDrawdown = dayPeak - equity
            }
            dayHigh = max(dayHigh, equity)
            dayLow = min(dayLow, equity)
        }

        for d in 0..<plan.count {
            let day = plan[d]
            strategy.beginSession(day.context)
            // Flat between days: the day starts at the realised equity.
            (dayHigh, dayLow, dayPeak, dayDrawdown) = (realized, realized, realized, 0)
            var tradesToday = 0
            let width = day.context.barSeconds
            let windowOpen = day.context.windowOpen
            // A signal is useful only if a whole next bar still fits in the window.
            let latestSignalClose = min(day.context.windowClose - width, windowOpen + lastEntrySeconds)

            @inline(__always) func close(at price: Double, bar i: Int, reason: ExitReason, slipped: Bool) {
                let record = TradeRecord(
                    entryIndex: entryIndex, exitIndex: i, side: side, entryPrice: entryPrice, exitPrice: price,
                    contracts: contracts, reason: reason, entryReason: entryReason, slippageTicks: entrySlipTicks + (slipped ? slipTicks : 0),
                    day: d)
                output.trades.append(record)
                let net = netPnL(record, instrument: instrument, costs: costs)
                output.dailyPnL[d] += net
                realized += net
                mark(realized)
                direction = 0
            }

            // Bars that close before the window opens, and bars after it, can trade nothing:
            // the position is flat there, no order is pending and no entry is accepted. A
            // strategy that ignores bars outside its window is not shown them (from the
            // bar closing at the open, whose signal could fill at the window's first bar):
            // exactly the full loop's trades (SimulatorTests), for a fraction of the bars
            // (regular hours are 6.5 of the day's 23).
            let shown = strategy.ignoresBarsOutsideWindow && !exhaustive
                ? max(day.first, day.windowFirst - 1)..<max(day.windowFirst, day.windowEnd) : day.first..<day.end
            for i in shown {
                // 1. Pending market exit at this bar's open.
                if let reason = pendingExit {
                    pendingExit = nil
                    close(at: marketFill(open: o[i], side: side.opposite, slip: slip, instrument: instrument), bar: i,
                          reason: reason, slipped: true)
                }
                // 2. Pending entry at this bar's open.
                if let order = pendingEntry {
                    pendingEntry = nil
                    if i >= day.windowFirst && i < day.windowEnd {
                        let sign = order.side.sign
                        let open = instrument.roundToTick(o[i])
                        let fill = marketFill(open: o[i], side: order.side, slip: slip, instrument: instrument)
                        let stopLevel = level(order.stop, from: fill, sign: -sign, absent: -sign * .infinity,
                                              instrument: instrument)
                        let targetLevel = level(order.target, from: fill, sign: sign, absent: sign * .infinity,
                                                instrument: instrument)
                        if (stopLevel - open) * sign < 0 && (targetLevel - open) * sign > 0 {
                            direction = order.side == .long ? 1 : -1
                            side = order.side
                            entryPrice = fill
                            stop = stopLevel
                            target = targetLevel
                            entryIndex = i
                            entrySlipTicks = slipTicks
                            entryReason = order.reason
                            tradesToday += 1
                        }
                    }
                }
                // 3. Stops and targets inside the bar.
                if direction > 0 {
                    if o[i] <= stop {
                        close(at: instrument.roundToTick(o[i]) - slip, bar: i, reason: .stop, slipped: true)
                    } else if o[i] >= target {
                        close(at: instrument.roundToTick(o[i]), bar: i, reason: .target, slipped: false)
                    } else if l[i] <= stop {
                        close(at: stop - slip, bar: i, reason: .stop, slipped: true)
                    } else if h[i] >= target {
                        close(at: target, bar: i, reason: .target, slipped: false)
                    }
                } else if direction < 0 {
                    if o[i] >= stop {
                        close(at: instrument.roundToTick(o[i]) + slip, bar: i, reason: .stop, slipped: true)
                    } else if o[i] <= target {
                        close(at: instrument.roundToTick(o[i]), bar: i, reason: .target, slipped: false)
                    } else if h[i] >= stop {
                        close(at: stop + slip, bar: i, reason: .stop, slipped: true)
                    } else if l[i] <= target {
                        close(at: target, bar: i, reason: .target, slipped: false)
                    }
                }
                // 4. The strategy decides on the closed bar.
                let closeTime = ts[i] + width
                let canEnter = direction == 0 && tradesToday < rules.maxTradesPerDay
                    && closeTime >= windowOpen && closeTime <= latestSignalClose
                let position = PositionView(
                    direction: direction, entryPrice: entryPrice,
                    barsHeld: direction == 0 ? 0 : i - entryIndex + 1, canEnter: canEnter)
                switch strategy.onBarClose(ClosedBars(columns, index: i), position) {
                case .hold: break
                case .enter(let order):
                    if canEnter && (controls.vetoedSignals.isEmpty || !controls.vetoedSignals.contains(i)) {
                        pendingEntry = order
                        pendingSignal = i
                    }
                case .exit: if direction != 0 { pendingExit = .signal }
                }
                if direction != 0 && !controls.forcedExits.isEmpty && controls.forcedExits.contains(i) {
                    pendingExit = .killSwitch
                    pendingEntry = nil
                }
                // 5. Time exit.
                if direction != 0 && pendingExit == nil && maxHold > 0 && i - entryIndex + 1 >= maxHold {
                    pendingExit = .time
                }
                // 6. Flat at the end of the window.
                if direction != 0 && i == day.windowEnd - 1
                    && !(controls.lastDayOpen && d == plan.count - 1 && ts[i] + width < day.context.windowClose) {
                    pendingExit = nil
                    close(at: instrument.roundToTick(c[i]) - side.sign * slip, bar: i, reason: .sessionEnd,
                          slipped: true)
                }
                if direction != 0 {
                    mark(realized + (c[i] - entryPrice) * side.sign * pointValue)
                }
            }
            if d == plan.count - 1 {
                output.atEnd = OpenState(
                    position: direction == 0 ? nil : OpenState.Position(
                        side: side, entryIndex: entryIndex, entryPrice: entryPrice, stop: stop, target: target,
                        entryReason: entryReason),
                    pendingEntry: pendingEntry.map { OpenState.Pending(signalIndex: pendingSignal, order: $0) },
                    pendingExit: pendingExit)
            }
            // Orders never carry over into another session.
            pendingEntry = nil
            pendingExit = nil
            output.marks.high[d] = dayHigh
            output.marks.low[d] = dayLow
            output.marks.drawdownWithin[d] = dayDrawdown
        }
        return output
    }}}}}}
}

@inline(__always)
private func level(_ level: Level, from fill: Double, sign: Double, absent: Double, instrument: Instrument) -> Double {
    switch level {
    case .none: absent
    case .price(let price): instrument.roundToTick(price)
    case .distance(let points): instrument.roundToTick(fill + sign * points)
    }
}

/// A market order's fill at a bar's open: the open on the tick grid, slipped against
/// the order (`slip` = slippage ticks × tick size). Entries and exits at an open use
/// it, and so does a paper order's remainder filling at a later bar's open.
@inline(__always)
public func marketFill(open: Double, side: Side, slip: Double, instrument: Instrument) -> Double {
    instrument.roundToTick(open) + side.sign * slip
}

/// USD result of a trade before commission. Prices sit on the tick grid, so the
/// tick count is exact: PnL = ticks × tick value × contracts (DESIGN.md §6).
func grossPnL(_ trade: TradeRecord, instrument: Instrument) -> Double {
    priceMovePnL(side: trade.side, contracts: trade.contracts, from: trade.entryPrice, to: trade.exitPrice,
                 instrument: instrument)
}

/// The PnL rule itself, for a position of `contracts` on `side` from one price to
/// another (a paper runner marks open positions with it).
public func priceMovePnL(side: Side, contracts: Int, from entry: Double, to price: Double, instrument: Instrument) -> Double {
    let ticks = ((price - entry) / instrument.tickSize).rounded() * side.sign
    return ticks * instrument.tickValue * Double(contracts)
}

func commission(_ trade: TradeRecord, costs: CostModel) -> Double {
    2 * costs.commission(contracts: trade.contracts)
}

func netPnL(_ trade: TradeRecord, instrument: Instrument, costs: CostModel) -> Double {
    grossPnL(trade, instrument: instrument) - commission(trade, costs: costs)
}
