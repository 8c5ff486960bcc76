import Logging

/// What an executor may use while running a job on a slot thread. No database
/// connection: everything an executor needs arrives in the claim row
/// (`ClaimedJob`), and what it produces goes back through the claim loop.
public struct JobContext {
    /// Carries `trace_id`, `job_id`, `job_type` and `worker_id`.
    public let logger: Logger
    public let workerID: String

    public init(logger: Logger, workerID: String) {
        self.logger = logger
        self.workerID = workerID
    }
}
