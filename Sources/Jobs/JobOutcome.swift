import Logging
import MarketData
import Postgres

/// What a finished job hands to its kind's recorder (`complete_leased_job`'s
/// `p_result`), plus the few facts worth a log line. Each executor's record
/// conforms, so the claim loop reports every kind the same way.
public protocol JobResult: Encodable, Sendable {
    var logSummary: Logger.Metadata { get }
}

/// How a job ended, plus every provider call made on the way (recorded even on failure).
public struct JobOutcome: Sendable {
    public enum Result: Sendable {
        /// Reported through `complete_leased_job`, which hands it to the kind's recorder.
        case completed(any JobResult)
        case failed(JobFailure)
    }

    public var result: Result
    public var usage: [UsageRecord]

    public init(_ result: Result, usage: [UsageRecord] = []) {
        self.result = result
        self.usage = usage
    }
}

/// The result of a kind that records nothing (NOOP): `{}`.
public struct EmptyResult: JobResult {
    public init() {}
    public var logSummary: Logger.Metadata { [:] }
}
