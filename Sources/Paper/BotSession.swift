import Backtest
import Foundation
import Market

/// One bot traded forward on paper. It keeps the bars received so far, the entry
/// signals its risk limits refused and the bars at which the kill switch flattened it;
/// after every bar it replays the bot over them (`Backtester.replay`: the backtest's
/// own strategy and fill rules) and books what changed (`PaperEvents`) in the ledger —
/// an entry submitted (and judged by the SQL risk limits), its fill, a closed trade's
/// exit and fill, the position's mark and an equity sample — in one transaction with
/// the bar's time, so the ledger is always at a whole bar.
///
/// Partial fills: the simulator decides whether and at what price an entry fills; a
/// bar absorbs at most `volumeShare` of its volume, so the paper order fills that many
/// contracts and the rest stays working, filling at the next bars' opens under the same
/// cap (`marketFill`, the simulator's own open fill) until the trade closes, which
/// cancels what is still unfilled. The exit closes what was filled (protective exits
/// are never held back by volume); its money is `TradeMoney` of the actual fills. When
/// the cap does not bind — whole orders, as in a backtest — the ledger books exactly
/// the backtest's trades.
public final class BotSession {
    public let bot: PaperLedger.Bot
    public let account: UUID
    public let run: UUID
    let ledger: PaperLedger
    let archetype: Archetype
    let instrument: Instrument
    let params: ParamValues
    let timeframe: Timeframe
    let costs: CostModel
    /// The most of a bar's volume one fill may take (nil: no cap).
    let volumeShare: Double?
    private var ts: [Int64] = [], o: [Double] = [], h: [Double] = [], l: [Double] = [], c: [Double] = [], v: [Double] = []
    private var vetoed: Set<Int> = []
    private var forcedExits: Set<Int> = []
    private var state: ReplayState?
    /// Client order id → order id, for the fills of submitted orders.
    private var orders: [String: UUID] = [:]
    private var tradingDay: String?
    /// The entry of the open trade as the ledger booked it (its fills so far).
    private var openEntry: OpenEntry?
    /// Told every order, fill and trade as it is booked (the run's events.jsonl).
    public var journal: ((String, [String: Any]) -> Void)?
    /// While the data is stale no new entry is submitted (its signal is refused).
    public var entriesBlocked = false
    public private(set) var counts = Counts()

    public struct Counts: Sendable {
        public var bars = 0, orders = 0, rejects = 0, fills = 0, partialFills = 0, trades = 0
        public var fees = 0.0
        public var lastPrice: Double?
    }

    /// An entry order and the fills the ledger booked for it.
    struct OpenEntry {
        let order: UUID
        let side: Side
        private(set) var contracts: Int
        var fills: [(contracts: Int, price: Double)]
        var filled: Int { fills.reduce(0) { $0 + $1.contracts } }
        var remaining: Int { contracts - filled }
        /// The order no longer works (the kill switch cancelled it): what filled is all.
        mutating func cancelRemainder() { contracts = filled }
    }

    public init(bot: PaperLedger.Bot, ledger: PaperLedger, account: UUID, run: UUID, volumeShare: Double? = nil) throws {
        guard let archetype = Archetypes.named(bot.archetype), let instrument = Instruments.spec(bot.instrument),
              let timeframe = Timeframe(rawValue: bot.timeframe) else {
            throw PaperError(code: "UNKNOWN_BOT_SPEC", message: "\(bot.name): unknown archetype, instrument or timeframe")
        }
        do {
            params = try archetype.params(fromJSON: bot.params)
        } catch {
            throw PaperError(code: error.code.rawValue, message: "\(bot.name): \(error.message)")
        }
        self.bot = bot
        self.ledger = ledger
        self.account = account
        self.run = run
        self.archetype = archetype
        self.instrument = instrument
        self.timeframe = timeframe
        self.volumeShare = volumeShare
        costs = .standard(for: instrument)
    }

    public var position: ReplayState.Position? { state?.position }

    /// Picks up where a crashed run's ledger stands: `history` is the bars it booked,
    /// `refused` the client ids of its entries that were not taken, `working` its entry
    /// orders still to fill, `forcedExits` the client ids of the exits by which the kill
    /// switch flattened. The replay of `history` is then the state the ledger holds.
    public func resume(history: [StreamBar], refused: [String], working: [String: UUID], forcedExits exits: [String] = [])
        throws {
        for bar in history {
            ts.append(bar.time); o.append(bar.open); h.append(bar.high); l.append(bar.low); c.append(bar.close)
            v.append(bar.volume)
        }
        let indexByTime = Dictionary(ts.enumerated().map { (isoUTC($0.element), $0.offset) }, uniquingKeysWith: { a, _ in a })
        func bar(_ id: String, _ kind: ClientOrderId.Kind) -> Int? {
            ClientOrderId.barTime(of: id, kind, bot: bot.id).flatMap { indexByTime[$0] }
        }
        for client in refused { if let signal = bar(client, .entry) { vetoed.insert(signal) } }
        // The kill switch flattened at the open of the exit's bar: forced at the bar before.
        for client in exits { if let exit = bar(client, .exit), exit > 0 { forcedExits.insert(exit - 1) } }
        orders = working
        tradingDay = ts.last.flatMap(tradeDay(of:))
        state = history.isEmpty ? nil : try replay(lastDayOpen: true)
        // The open trade's entry order as the ledger holds it (filled in parts, perhaps
        // cancelled since): the order of the signal the position entered on.
        if let position = state?.position, position.entryBar > 0,
           let entry = try ledger.entryOrder(account: account, clientOrderId: entryClientId(signalBar: position.entryBar - 1)) {
            openEntry = OpenEntry(order: entry.order, side: position.side,
                                  contracts: entry.working ? entry.quantity : entry.fills.reduce(0) { $0 + $1.contracts },
                                  fills: entry.fills)
        }
        counts.lastPrice = c.last
    }

    /// Books one new (validated) bar.
    public func onBar(_ bar: StreamBar) throws {
        ts.append(bar.time); o.append(bar.open); h.append(bar.high); l.append(bar.low); c.append(bar.close)
        v.append(bar.volume)
        counts.bars += 1
        counts.lastPrice = bar.close
        // What the transaction may change, restored if it rolls back: the ledger is then
        // still at the previous bar, and so is this session (the bar stays in the history;
        // the next bar's replay books its events).
        let saved = (vetoed, forcedExits, state, orders, tradingDay, openEntry, counts)
        do {
            // The kill switch cancelled the working entry (so it is not taken, nor the
            // unfilled rest of a partly filled one) and flattens an open position at the
            // next bar's open.
            let killed = try ledger.killSwitchEngaged()
            if killed {
                if let pending = state?.pendingEntry { vetoed.insert(pending.signalBar) }
                if state?.position != nil { forcedExits.insert(ts.count - 1) }
                openEntry?.cancelRemainder()
            }
            try ledger.db.transaction {
                if let day = tradeDay(of: bar.time), day != tradingDay {
                    try ledger.beginDay(account: account, day: day)
                    tradingDay = day
                }
                let replayed = try replay(lastDayOpen: true)
                try fillRemainder(at: ts.count - 1, replayed: replayed)
                try book(replayed, barTime: bar.time, lastDayOpen: true)
            }
        } catch {
            (vetoed, forcedExits, state, orders, tradingDay, openEntry, counts) = saved
            throw error
        }
    }

    /// The unfilled rest of the open trade's entry fills at this bar's open (capped by
    /// its volume) — unless the trade exits at this very open.
    private func fillRemainder(at i: Int, replayed: ReplayState) throws {
        guard var entry = openEntry, entry.remaining > 0, state?.position != nil else { return }
        let closedHere = replayed.trades.count > (state?.trades.count ?? 0)
            ? replayed.trades[state?.trades.count ?? 0] : nil
        if let closedHere, [.signal, .time, .killSwitch].contains(closedHere.exitReason) { return }
        let quantity = min(entry.remaining, capacity(of: i))
        guard quantity > 0 else { return }
        let price = marketFill(open: o[i], side: entry.side, slip: Double(costs.slippageTicks) * instrument.tickSize,
                               instrument: instrument)
        try ledger.fill(order: entry.order, quantity: quantity, price: price, fee: costs.commission(contracts: quantity),
                        barTime: date(i))
        entry.fills.append((quantity, price))
        openEntry = entry
        counts.fills += 1
        counts.fees += costs.commission(contracts: quantity)
        journal?("FILL", ["order_id": entry.order.uuidString.lowercased(), "intent": "ENTRY", "quantity": quantity,
                          "price": price, "remaining": entry.remaining, "bar": isoUTC(ts[i])])
    }

    /// How many contracts bar `i` can fill: `volumeShare` of its volume.
    private func capacity(of i: Int) -> Int {
        guard let share = volumeShare else { return .max }
        return Int((v[i] * share).rounded(.down))
    }

    /// The end of the session (SIGTERM, --duration, the stream's end): the last day is
    /// over, so an open position closes at the last bar's close by the engine's own
    /// session-end rule, and working orders are cancelled.
    public func finish() throws {
        guard let last = ts.last else { return }
        try ledger.db.transaction {
            try book(try replay(lastDayOpen: false), barTime: last, lastDayOpen: false)
            _ = try ledger.cancelWorking(account: account, reason: "SESSION_STOPPED")
        }
    }

    private func replay(lastDayOpen: Bool) throws -> ReplayState {
        let series: BarSeries
        do {
            series = try BarSeries(timeframe: timeframe, timestamps: ts, open: o, high: h, low: l, close: c, volume: v)
        } catch {
            throw PaperError(code: error.code, message: error.description)
        }
        do {
            return try Backtester.replay(BacktestRequest(archetype: archetype, params: params, instrument: instrument,
                                                         bars: series, dataSource: "paper"),
                                         vetoedSignals: vetoed, forcedExits: forcedExits, lastDayOpen: lastDayOpen)
        } catch {
            throw PaperError(code: error.code, message: error.message)
        }
    }

    private func book(_ replayed: ReplayState, barTime: Int64, lastDayOpen: Bool) throws {
        var next = replayed
        let events: [PaperEvent]
        do {
            events = try PaperEvents.between(state, next)
        } catch {
            throw PaperError(code: "REPLAY_RESTATED", message: error.description)
        }
        for event in events {
            switch event {
            case .entrySignal(let signal):
                let id = entryClientId(signalBar: signal.signalBar)
                counts.orders += 1
                let submitted = try entriesBlocked
                    ? nil
                    : ledger.submit(account: account, run: run, clientOrderId: id, instrument: instrument.symbol,
                                    intent: "ENTRY", side: signal.side == .long ? "BUY" : "SELL", quantity: signal.contracts,
                                    reference: signal.referencePrice, stop: signal.stopPrice, target: signal.targetPrice,
                                    reason: signal.entryReason)
                journal?(submitted?.status == "ACCEPTED" ? "ORDER_ACCEPTED" : "ORDER_REJECTED", [
                    "client_order_id": id, "intent": "ENTRY", "side": signal.side == .long ? "BUY" : "SELL",
                    "quantity": signal.contracts, "reason_code": submitted?.rejectCode ?? (submitted == nil ? "DATA_STALE" : ""),
                    "entry_reason": signal.entryReason,
                ])
                if let submitted, submitted.status == "ACCEPTED" {
                    orders[id] = submitted.id
                } else {
                    counts.rejects += 1
                    vetoed.insert(signal.signalBar)
                    next = try replay(lastDayOpen: lastDayOpen)
                }
            case .entryFilled(let fill):
                guard fill.bar > 0, let order = orders[entryClientId(signalBar: fill.bar - 1)] else {
                    throw PaperError(code: "FILL_WITHOUT_ORDER", message: "an entry filled at \(fill.time) that was never submitted")
                }
                let quantity = min(fill.contracts, capacity(of: fill.bar))
                var entry = OpenEntry(order: order, side: fill.side, contracts: fill.contracts, fills: [])
                if quantity > 0 {
                    try ledger.fill(order: order, quantity: quantity, price: fill.price,
                                    fee: costs.commission(contracts: quantity), barTime: date(fill.bar))
                    entry.fills.append((quantity, fill.price))
                    counts.fills += 1
                    counts.fees += costs.commission(contracts: quantity)
                }
                if entry.remaining > 0 { counts.partialFills += 1 }
                openEntry = entry
                journal?("FILL", ["order_id": order.uuidString.lowercased(), "intent": "ENTRY", "quantity": quantity,
                                  "price": fill.price, "remaining": entry.remaining, "bar": isoUTC(ts[fill.bar])])
            case .tradeClosed(let trade, let exitBar):
                guard let entry = openEntry else {
                    throw PaperError(code: "TRADE_WITHOUT_ENTRY", message: "the trade entered \(trade.entryTime) closed, but its entry order is unknown")
                }
                openEntry = nil
                if entry.remaining > 0 {
                    try ledger.cancel(order: entry.order, reason: "TRADE_CLOSED")
                    journal?("ORDER_CANCELLED", ["order_id": entry.order.uuidString.lowercased(),
                                                 "unfilled": entry.remaining, "reason_code": "TRADE_CLOSED"])
                }
                guard entry.filled > 0 else { continue }
                let id = ClientOrderId.make(.exit, bot: bot.id, barTime: trade.exitTime)
                let exit = try ledger.submit(account: account, run: run, clientOrderId: id, instrument: instrument.symbol,
                                             intent: "EXIT", side: trade.side == .long ? "SELL" : "BUY",
                                             quantity: entry.filled, reference: trade.exitPrice, stop: nil, target: nil,
                                             reason: trade.exitReason.rawValue)
                guard exit.status == "ACCEPTED" else {
                    throw PaperError(code: "EXIT_REFUSED", message: "the exit of \(trade.entryTime) was refused: \(exit.rejectCode ?? "?")")
                }
                counts.orders += 1
                let money = TradeMoney(side: trade.side, entries: entry.fills, exitPrice: trade.exitPrice,
                                       instrument: instrument, costs: costs)
                try ledger.fill(order: exit.id, quantity: entry.filled, price: trade.exitPrice,
                                fee: costs.commission(contracts: entry.filled), barTime: date(exitBar),
                                realized: money.gross, tradePnL: money.net)
                counts.fills += 1
                counts.trades += 1
                counts.fees += costs.commission(contracts: entry.filled)
                journal?("TRADE_CLOSED", ["entry_time": trade.entryTime, "exit_time": trade.exitTime,
                                          "side": trade.side.rawValue, "contracts": entry.filled,
                                          "exit_reason": trade.exitReason.rawValue, "exit_price": trade.exitPrice,
                                          "net_pnl": money.net])
            }
        }
        if next.position != nil, let entry = openEntry, entry.filled > 0, let close = c.last {
            try ledger.mark(account: account, instrument: instrument.symbol, price: close,
                            unrealized: entry.fills.reduce(0.0) {
                                $0 + priceMovePnL(side: entry.side, contracts: $1.contracts, from: $1.price, to: close,
                                                  instrument: instrument)
                            })
        }
        _ = try ledger.sampleEquity(account: account)
        try ledger.booked(run: run, barTime: Date(timeIntervalSince1970: Double(barTime)))
        state = next
    }

    /// The client order id of the entry signalled at the close of bar `signalBar`.
    private func entryClientId(signalBar: Int) -> String {
        ClientOrderId.make(.entry, bot: bot.id, barTime: isoUTC(ts[signalBar]))
    }

    /// The start of bar `i`.
    private func date(_ i: Int) -> Date {
        Date(timeIntervalSince1970: Double(ts[i]))
    }

    /// The session day a bar belongs to, by the instrument's calendar.
    private func tradeDay(of time: Int64) -> String? {
        instrument.session.sessions(covering: time, through: time)
            .first { time >= $0.open && time < $0.close }?.tradeDateString
    }
}

/// A runner failure with a stable code.
public struct PaperError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
