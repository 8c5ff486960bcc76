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

    public func claim(worker: String, kinds: [JobKind], limit: Int) throws -> [ClaimedJob] {
        try connection.query("select * from claim_jobs($1, $2::text[], $3)",
                             [worker, kinds.map(\.rawValue), limit]).rows.map(ClaimedJob.init(row:))
    }

    /// `job_kinds` rows that name an executor: which executor runs which kind.
    public func executableKinds() throws -> [(kind: JobKind, executor: String)] {
        try connection.query("select kind, executor from job_kinds where executor is not null order by kind",
                             idempotent: true).rows.map { row in
            (JobKind(rawValue: try row.decode("kind")), try row.decode("executor"))
        }
    }

    /// Extends the leases of `jobs`; returns how many of them this worker still holds.
    public func heartbeat(worker: String, jobs: [UUID]) throws -> Int {
        try connection.query("select heartbeat_jobs($1, $2::uuid[]) as held", [worker, jobs], idempotent: true)
            .single().decode("held")
    }

    public func recordWorkerHeartbeat(_ worker: WorkerIdentity, kinds: [JobKind], status: String = "RUNNING") throws {
        try connection.query("select record_worker_heartbeat($1, $2, $3, $4, $5::text[], $6)",
                             [worker.id, worker.hostname, Int(worker.pid), worker.slots,
                              kinds.map(\.rawValue), status], idempotent: true)
    }

    @discardableResult
    public func recordUsage(job: UUID, usage: [UsageRecord]) throws -> Int {
        let rows = usage.map(UsageRow.init)
        return try connection.query("select record_usage($1, $2::jsonb) as recorded",
                                    [job, try JSONText(encoding: rows)]).single().decode("recorded")
    }

    /// Completes the job through `complete_leased_job`, the one completion entry
    /// point: the lease is checked once and the kind's recorder writes `result`.
    /// Returns the recorder's document (e.g. `{"session_id": …}`) as JSON text. A
    /// refusal by rule (`POPULATION_CAP`, `PARENT_NOT_ACTIVE`, `INVALID_RESULT`) is
    /// thrown as a `PostgresError`, nothing written.
    public func complete(_ job: ClaimedJob, worker: String, result: JSONText) throws -> Settlement<String> {
        try settling {
            try connection.query("select complete_leased_job($1, $2, $3, $4::jsonb)::text as doc",
                                 [job.id, worker, job.attempt, result]).single().decode("doc")
        }
    }

    /// Completes several instant jobs (kinds with nothing to record) in one
    /// statement, `complete_leased_jobs`. All or nothing: on any refusal the
    /// caller settles them one by one instead.
    public func completeAll(_ jobs: [ClaimedJob], worker: String) throws {
        try connection.query("select complete_leased_jobs($1::uuid[], $2::int[], $3)",
                             [jobs.map(\.id), jobs.map(\.attempt), worker])
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
