import Logging
import Postgres

/// Completes at once. Used to measure and test the queue itself, so it claims in
/// batches: a slot takes up to `claimBatchSize` jobs per round trip and
/// acknowledges them together, each still through `complete_leased_job` with its own audit event.
public struct NoopExecutor: JobExecutor {
    public let claimBatchSize: Int
    public var name: String { "noop" }
    /// Thousands a second: one log line each would cost more than the job.
    public var jobLogLevel: Logger.Level { .debug }
    public var completesOnClaim: Bool { true }

    public init(claimBatchSize: Int = 10) {
        self.claimBatchSize = max(1, claimBatchSize)
    }

    public func execute(_ job: ClaimedJob, context: JobContext) -> JobOutcome {
        JobOutcome(.completed(EmptyResult()))
    }
}
