import Foundation

/// How a worker process appears in `worker_heartbeats` and in `bot_jobs.worker_id`.
public struct WorkerIdentity: Sendable, Equatable {
    public let id: String
    public let hostname: String
    public let pid: Int32
    public let slots: Int
    /// The kinds the operator restricted this worker to (`--types`); nil = every
    /// kind `job_kinds` assigns to an executor this worker has.
    public let requestedKinds: [JobKind]?

    public init(id: String? = nil, slots: Int, requestedKinds: [JobKind]? = nil,
                hostname: String = ProcessInfo.processInfo.hostName, pid: Int32 = getpid()) {
        self.hostname = hostname
        self.pid = pid
        self.id = id ?? "\(hostname):\(pid)"
        self.slots = slots
        self.requestedKinds = requestedKinds
    }
}
