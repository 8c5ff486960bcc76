import Backtest

/// What a paper runner records when a replay of a bot's bars moves on: a new entry to
/// submit (risk-checked) before the next bar opens, an entry filled, a trade closed.
public enum PaperEvent: Sendable, Equatable {
    case entrySignal(ReplayState.PendingEntry)
    case entryFilled(EntryFill)
    /// The trade and the bar whose price closed it.
    case tradeClosed(Trade, exitBar: Int)

    public struct EntryFill: Sendable, Equatable {
        /// The bar whose open filled it (its signal was the bar before).
        public let bar: Int
        public let side: Side
        public let contracts: Int
        public let time: String
        public let price: Double
        public let entryReason: String
    }
}

/// A later replay restated an earlier one's closed trades: the bars it was given are
/// not the earlier bars plus new ones (a corrected or reordered bar).
public struct PaperRestatement: Error, Sendable, CustomStringConvertible {
    public let firstDifferentTrade: Int
    public var description: String {
        "replay restated closed trade \(firstDifferentTrade): the bars changed underneath the runner"
    }
}

public enum PaperEvents {
    /// The events that lead from `old` (nil before the first bar) to `new`, oldest
    /// first: closed trades (each preceded by its entry fill when that fill was not
    /// reported yet — an entry can fill and stop out in one bar), then the open
    /// position's entry fill, then a new entry signal.
    public static func between(_ old: ReplayState?, _ new: ReplayState) throws(PaperRestatement) -> [PaperEvent] {
        let known = old?.trades ?? []
        if let differs = zip(known, new.trades).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            throw PaperRestatement(firstDifferentTrade: differs)
        }
        guard new.trades.count >= known.count else { throw PaperRestatement(firstDifferentTrade: new.trades.count) }
        var events: [PaperEvent] = []
        for (trade, bars) in zip(new.trades, new.tradeBars).dropFirst(known.count) {
            if old?.position?.entryBar != bars.entry {
                events.append(.entryFilled(PaperEvent.EntryFill(bar: bars.entry, side: trade.side, contracts: trade.contracts,
                                                                time: trade.entryTime, price: trade.entryPrice,
                                                                entryReason: trade.entryReason)))
            }
            events.append(.tradeClosed(trade, exitBar: bars.exit))
        }
        if let position = new.position, old?.position?.entryBar != position.entryBar {
            events.append(.entryFilled(PaperEvent.EntryFill(bar: position.entryBar, side: position.side,
                                                            contracts: position.contracts,
                                                            time: position.entryTime, price: position.entryPrice,
                                                            entryReason: position.entryReason)))
        }
        if let pending = new.pendingEntry, old?.pendingEntry?.signalBar != pending.signalBar {
            events.append(.entrySignal(pending))
        }
        return events
    }
}
