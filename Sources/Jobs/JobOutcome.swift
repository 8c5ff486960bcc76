import MarketData
import Postgres

/// How a job ended, plus every provider call made on the way (recorded even on failure).
public struct JobOutcome: Sendable {
    public enum Result: Sendable {
        /// A backtest to record with `complete_backtest`.
        case backtest(BacktestRecord)
        /// A Gen+1 child to create with `complete_evolve`.
        case evolution(EvolutionRecord)
        /// An improvement iteration to record with `complete_improve`.
        case improvement(ImprovementRecord)
        /// A finished job of another kind, recorded with `complete_job`.
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
