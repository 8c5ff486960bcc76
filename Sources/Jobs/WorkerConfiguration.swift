import Postgres

/// What a worker process runs and how.
public struct WorkerConfiguration: Sendable {
    public var identity: WorkerIdentity
    public var database: Connection.Options
    /// One per `job_kinds.executor` name; kinds are matched to them when the worker starts.
    public var executors: [any JobExecutor]
    /// Seconds running jobs get to finish after a stop request before they are released.
    public var gracePeriod: Double
    /// Seconds an idle slot sleeps before claiming again without a notification.
    public var pollInterval: Double

    public init(identity: WorkerIdentity, database: Connection.Options, executors: [any JobExecutor],
                gracePeriod: Double = 20, pollInterval: Double = 1) {
        self.identity = identity
        self.database = database
        self.executors = executors
        self.gracePeriod = gracePeriod
        self.pollInterval = pollInterval
    }
}
