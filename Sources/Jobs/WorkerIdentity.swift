import Foundation

/// How a worker process appears in `worker_heartbeats` and in `bot_jobs.worker_id`.
public struct WorkerIdentity: Sendable, Equatable {
    public let id: String
    public let hostname: String
    public let pid: Int32
    public let slots: Int
    public let jobTypes: [JobType]

    public init(id: String? = nil, slots: Int, jobTypes: [JobType],
                hostname: String = ProcessInfo.processInfo.hostName, pid: Int32 = getpid()) {
        self.hostname = hostname
        self.pid = pid
        self.id = id ?? "\(hostname):\(pid)"
        self.slots = slots
        self.jobTypes = jobTypes
    }
}
