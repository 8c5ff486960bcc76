import Logging

/// Runs the job kinds whose `job_kinds.executor` is its `name`. An executor does
/// the work and says how it ended; the claim loop reports that to PostgreSQL
/// (`record_usage`, then `complete_leased_job` or `fail_job`), so no executor ever
/// changes a job's status itself. One conformer per file.
public protocol JobExecutor: Sendable {
    /// The `job_kinds.executor` value of the kinds this executor runs.
    var name: String { get }
    /// Jobs claimed per `claim_jobs` call: more than 1 only for jobs so short that
    /// the claim round trip would dominate (NOOP).
    var claimBatchSize: Int { get }
    /// Level of the per-job "started"/"completed" log lines (default info).
    var jobLogLevel: Logger.Level { get }
    /// The job is done the moment it is claimed (NOOP): a batch of them is
    /// acknowledged in one round trip instead of one per job.
    var completesOnClaim: Bool { get }
    func execute(_ job: ClaimedJob, context: JobContext) -> JobOutcome
}

extension JobExecutor {
    public var jobLogLevel: Logger.Level { .info }
    public var completesOnClaim: Bool { false }
}
