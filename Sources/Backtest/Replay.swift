import Market

/// A paper runner's view of the bars so far: the very simulation a backtest runs
/// (same strategy, same fill rules — DESIGN §6), over the bars received up to now,
/// with the entries its risk limits refused taken out. Because a strategy sees only
/// closed bars, a longer prefix never changes what a shorter one decided: the runner
/// replays after every bar and acts on what is new (a submitted entry, a fill, a
/// closed trade), and a restarted runner rebuilds its state from the bars and the
/// refusals it recorded.
public struct ReplayState: Sendable, Equatable {
    public struct Position: Sendable, Equatable {
        public let side: Side
        public let contracts: Int
        /// The bar whose open filled the entry.
        public let entryBar: Int
        public let entryTime: String
        /// The fill, slippage included.
        public let entryPrice: Double
        public let stopPrice: Double?
        public let targetPrice: Double?
        public let entryReason: String
    }

    /// An entry decided at a bar's close, to fill at the next bar's open.
    public struct PendingEntry: Sendable, Equatable {
        public let signalBar: Int
        public let signalTime: String
        public let side: Side
        public let contracts: Int
        /// The signal bar's close: what risk limits judge the order at (the fill is
        /// the next open, so a stop given as a distance moves with it).
        public let referencePrice: Double
        public let stopPrice: Double?
        public let targetPrice: Double?
        public let entryReason: String
    }

    /// Closed trades, exactly as the backtest of the same bars reports them.
    public let trades: [Trade]
    /// The bars each closed trade entered and exited at (parallel to `trades`).
    public let tradeBars: [TradeBars]

    public struct TradeBars: Sendable, Equatable {
        public let entry: Int
        public let exit: Int
    }
    public let position: Position?
    public let pendingEntry: PendingEntry?
    /// An exit (signal or time) to fill at the next bar's open.
    public let pendingExit: ExitReason?
}

extension Backtester {
    /// Replays `request` (its bars are the bars so far) with the entry signals in
    /// `vetoedSignals` (bar indexes) refused. With `lastDayOpen` the last session day
    /// is still trading: its position is not closed before its window's close.
    /// `forcedExits` (bar indexes): an open position exits at the next bar's open (the kill switch).
    public static func replay(_ request: BacktestRequest, vetoedSignals: Set<Int> = [], forcedExits: Set<Int> = [],
                              lastDayOpen: Bool = true) throws(BacktestError) -> ReplayState {
        let simulation = try simulation(request, controls: SimulationControls(vetoedSignals: vetoedSignals,
                                                                               forcedExits: forcedExits,
                                                                               lastDayOpen: lastDayOpen))
        let atEnd = simulation.output.atEnd
        let instrument = request.instrument
        let bars = request.bars
        let contracts = simulation.rules.contracts
        func finite(_ level: Double) -> Double? { level.isFinite ? level : nil }
        return ReplayState(
            trades: simulation.output.trades.map(simulation.trade),
            tradeBars: simulation.output.trades.map { ReplayState.TradeBars(entry: $0.entryIndex, exit: $0.exitIndex) },
            position: atEnd.position.map {
                ReplayState.Position(side: $0.side, contracts: contracts, entryBar: $0.entryIndex,
                                     entryTime: isoUTC(bars.timestamps[$0.entryIndex]), entryPrice: $0.entryPrice,
                                     stopPrice: finite($0.stop), targetPrice: finite($0.target),
                                     entryReason: $0.entryReason.text(instrument))
            },
            pendingEntry: atEnd.pendingEntry.map { pending in
                let order = pending.order
                let reference = instrument.roundToTick(bars.close[pending.signalIndex])
                func resolve(_ level: Level, _ sign: Double) -> Double? {
                    switch level {
                    case .none: nil
                    case .price(let price): instrument.roundToTick(price)
                    case .distance(let points): instrument.roundToTick(reference + sign * points)
                    }
                }
                return ReplayState.PendingEntry(
                    signalBar: pending.signalIndex, signalTime: isoUTC(bars.timestamps[pending.signalIndex]),
                    side: order.side, contracts: contracts, referencePrice: reference,
                    stopPrice: resolve(order.stop, -order.side.sign), targetPrice: resolve(order.target, order.side.sign),
                    entryReason: order.reason.text(instrument))
            },
            pendingExit: atEnd.pendingExit)
    }
}
