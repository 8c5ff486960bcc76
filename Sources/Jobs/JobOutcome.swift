import MarketData
import Postgres

/// How a job ended, plus every provider call made on the way (recorded even on failure).
public struct JobOutcome: Sendable {
    public enum Result: Sendable {
        /// A backtest for `record_backtest`.
        case backtest(BacktestRecord)
        /// A Gen+1 child for `record_evolution`.
        case evolution(EvolutionRecord)
        /// An improvement iteration for `record_improvement`.
        case improvement(ImprovementRecord)
        /// A finished job of another kind, with its result document.
        /// Every case but `.failed` is reported through `complete_leased_job`.
        case completed(JSONText)
        case failed(JobFailure)
    }

    public var result: Result
    public var usage: [UsageRecord]

    public init(_ result: Result, usage: [UsageRecord] = []) {
        self.result = result
        self.usage = usage
    }
}
