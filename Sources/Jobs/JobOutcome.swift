import MarketData
import Postgres

/// How a job ended, plus every provider call made on the way (recorded even on failure).
public struct JobOutcome: Sendable {
    public enum Result: Sendable {
        /// A backtest to record with `complete_backtest`.
        case backtest(BacktestRecord)
        /// A finished non-backtest job, recorded with `complete_job`.
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
