import Foundation
import MarketData
import Postgres

/// The queue contract of docs/jobs.md as typed Swift calls: one SQL function per
/// method, parameters always bound, nothing else. Whatever is decided (who gets a
/// job, whether a result still counts, when to retry) is decided by these functions.
public struct JobQueue {
    /// Result of a call that is only accepted from the job's current lease holder.
    public enum Settlement<Value> {
        case recorded(Value)
        /// The job is no longer RUNNING under this worker and attempt (lease expired,
        /// released, rescued): the result is dropped, never retried.
        case leaseLost
    }

    public static let channel = "gauntlet_jobs"

    public let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    public func claim(worker: String, types: [JobType], limit: Int) throws -> [ClaimedJob] {
        try connection.query("select * from claim_jobs($1, $2::text[], $3)",
                             [worker, types.map(\.rawValue), limit]).rows.map(ClaimedJob.init(row:))
    }

    /// Extends the leases of `jobs`; returns how many of them this worker still holds.
    public func heartbeat(worker: String, jobs: [UUID]) throws -> Int {
        try connection.query("select heartbeat_jobs($1, $2::uuid[]) as held", [worker, jobs], idempotent: true)
            .single().decode("held")
    }

    public func recordWorkerHeartbeat(_ worker: WorkerIdentity, status: String = "RUNNING") throws {
        try connection.query("select record_worker_heartbeat($1, $2, $3, $4, $5::text[], $6)",
                             [worker.id, worker.hostname, Int(worker.pid), worker.slots,
                              worker.jobTypes.map(\.rawValue), status], idempotent: true)
    }

    @discardableResult
    public func recordUsage(job: UUID, usage: [UsageRecord]) throws -> Int {
        let rows = usage.map(UsageRow.init)
        return try connection.query("select record_usage($1, $2::jsonb) as recorded",
                                    [job, try JSONText(encoding: rows)]).single().decode("recorded")
    }

    /// Records the session and its trades and completes the job; returns the session id.
    public func completeBacktest(_ job: ClaimedJob, worker: String, record: BacktestRecord) throws -> Settlement<UUID> {
        try settling {
            try connection.query("select complete_backtest($1, $2, $3, $4::jsonb) as session_id",
                                 [job.id, worker, job.attempt, try JSONText(encoding: record)])
                .single().decode("session_id")
        }
    }

    /// Creates the evolved child, queues its baseline and supersedes the parent;
    /// returns the child's id. A refusal by rule (`POPULATION_CAP`,
    /// `PARENT_NOT_ACTIVE`) is thrown as a P0001 `PostgresError`, nothing written.
    public func completeEvolve(_ job: ClaimedJob, worker: String, record: EvolutionRecord) throws -> Settlement<UUID> {
        try settling {
            try connection.query("select complete_evolve($1, $2, $3, $4::jsonb) as bot_id",
                                 [job.id, worker, job.attempt, try JSONText(encoding: record)])
                .single().decode("bot_id")
        }
    }

    /// Records the candidate's out-of-sample session and, when adopted, the bot's new
    /// params; returns the session id.
    public func completeImprove(_ job: ClaimedJob, worker: String, record: ImprovementRecord) throws -> Settlement<UUID> {
        try settling {
            try connection.query("select complete_improve($1, $2, $3, $4::jsonb) as session_id",
                                 [job.id, worker, job.attempt, try JSONText(encoding: record)])
                .single().decode("session_id")
        }
    }

    public func complete(_ job: ClaimedJob, worker: String, result: JSONText) throws -> Settlement<Void> {
        try settling {
            try connection.query("select complete_job($1, $2, $3, $4::jsonb)", [job.id, worker, job.attempt, result])
        }
    }

    /// Completes several instant jobs in one round trip and one transaction;
    /// each still goes through `complete_job` (lease check, audit event). All or
    /// nothing: on any refusal the caller settles them one by one instead.
    public func completeAll(_ jobs: [ClaimedJob], worker: String) throws {
        try connection.query("""
            select count(*) from unnest($1::uuid[], $2::int[]) as j(id, attempt),
                 lateral complete_job(j.id, $3, j.attempt, '{}'::jsonb)
            """, [jobs.map(\.id), jobs.map(\.attempt), worker])
    }

    /// Returns the job's new status: QUEUED when it will be retried, else FAILED.
    public func fail(_ job: ClaimedJob, worker: String, failure: JobFailure) throws -> Settlement<String> {
        try settling {
            try connection.query("select fail_job($1, $2, $3, $4, $5, $6, $7) as status",
                                 [job.id, worker, job.attempt, failure.code, failure.message, failure.suggestedFix,
                                  failure.retryable]).single().decode("status")
        }
    }

    /// RUNNING jobs whose lease expired → TIMEOUT → QUEUED (or FAILED); returns how many.
    @discardableResult
    public func rescueExpiredLeases() throws -> Int {
        try connection.query("select rescue_expired_leases() as rescued").single().decode("rescued")
    }

    /// Puts jobs this worker holds back in the queue (graceful shutdown).
    @discardableResult
    public func release(worker: String, jobs: [UUID]) throws -> Int {
        try connection.query("select release_jobs($1, $2::uuid[]) as released", [worker, jobs])
            .single().decode("released")
    }

    /// Sessions a baseline covers (`settings.baseline_trading_days`); the
    /// default when the row is missing or unreadable, so a backtest still runs.
    public func baselineTradingDays(default fallback: Int) -> Int {
        (try? numericSetting("baseline_trading_days")).flatMap { $0 }.map { Int($0) } ?? fallback
    }

    /// A `settings` value as JSON text, nil when the key is absent.
    public func setting(_ key: String) throws -> String? {
        try connection.query("select value::text as value from settings where key = $1", [key], idempotent: true)
            .first?.decodeIfPresent("value")
    }

    public func numericSetting(_ key: String) throws -> Double? {
        try setting(key).flatMap { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))) }
    }

    private func settling<Value>(_ call: () throws -> Value) throws -> Settlement<Value> {
        do {
            return .recorded(try call())
        } catch let error as PostgresError where error.sqlState == "P0001" && error.message == "LEASE_LOST" {
            return .leaseLost
        }
    }
}

/// One provider call in the shape `record_usage` reads.
private struct UsageRow: Encodable {
    let provider: String
    let endpoint: String
    let status: String
    let http_status: Int?
    let latency_ms: Double
    let bars_returned: Int
    let trace_id: UUID

    init(_ usage: UsageRecord) {
        provider = usage.provider
        endpoint = usage.endpoint
        status = usage.status
        http_status = usage.httpStatus
        latency_ms = usage.latencyMs.isFinite ? usage.latencyMs : 0
        bars_returned = usage.barsReturned
        trace_id = usage.traceId
    }
}
