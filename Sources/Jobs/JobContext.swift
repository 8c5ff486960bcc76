import Logging
import Postgres

/// What an executor may use while running a job on a slot thread.
public struct JobContext {
    /// The slot's own connection, for reading settings or (later) calling the SQL
    /// functions an executor needs. Never used to change a job's status.
    public let connection: Connection
    /// Carries `trace_id`, `job_id`, `job_type` and `worker_id`.
    public let logger: Logger
    public let workerID: String

    public init(connection: Connection, logger: Logger, workerID: String) {
        self.connection = connection
        self.logger = logger
        self.workerID = workerID
    }
}
