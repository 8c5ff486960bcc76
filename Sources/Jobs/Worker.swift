import Foundation
import Logging
import Postgres

/// A worker process's engine: `identity.slots` claim loops (each a thread with its
/// own connection), a LISTEN thread that wakes idle slots, and a heartbeat thread
/// that keeps leases alive. `run()` blocks until `stop()`; then no new job is
/// claimed, running jobs get `gracePeriod` seconds to finish, and whatever is still
/// held is released back to the queue.
public final class Worker: @unchecked Sendable {
    /// What a stop left behind.
    public struct Shutdown: Sendable, Equatable {
        /// Jobs handed back with `release_jobs` because they did not finish in time.
        public let released: Int
    }

    public let configuration: WorkerConfiguration
    public var identity: WorkerIdentity { configuration.identity }
    /// Resolved from `job_kinds` when `run()` starts, before any slot thread exists.
    private(set) var plan = ClaimPlan.empty
    let leases = Leases()
    let wake = WakeSignal()
    let logger: Logger

    private let state = NSCondition()
    private var stopRequested = false
    /// A second stop request: release at once instead of waiting out the grace period.
    private var hurried = false
    private var liveSlots = 0
    /// Set after the release: the heartbeat and listener threads end.
    private var finished = false

    public init(_ configuration: WorkerConfiguration, logger: Logger = Logger(label: "worker")) throws(WorkerError) {
        guard configuration.identity.slots >= 1 else {
            throw WorkerError(code: "INVALID_SLOTS", message: "a worker needs at least one slot", suggestedFix: "pass --slots 1 or more")
        }
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "worker_id"] = "\(configuration.identity.id)"
        self.logger = logger
    }

    /// Runs until `stop()` and the shutdown that follows are done.
    public func run() throws -> Shutdown {
        // Fails fast, before any thread starts, when the database or the queue
        // functions are missing.
        let control = try Connection(options(role: "control"))
        let queue = JobQueue(control)
        plan = try ClaimPlan(table: queue.executableKinds(), only: identity.requestedKinds,
                             executors: configuration.executors)
        try queue.recordWorkerHeartbeat(identity, kinds: plan.kinds)
        logger.info("worker started", metadata: [
            "slots": "\(identity.slots)", "job_types": "\(plan.kinds.map(\.rawValue).joined(separator: ","))",
        ])

        let heartbeatEnded = startThread("heartbeat") { Heartbeat(worker: self).run() }
        let listenerEnded = startThread("listener") { NotificationListener(worker: self).run() }
        state.withLock { liveSlots = identity.slots }
        for slot in 0..<identity.slots {
            _ = startThread("slot-\(slot)") {
                ClaimLoop(slot: slot, worker: self).run()
                self.state.withLock {
                    self.liveSlots -= 1
                    self.state.broadcast()
                }
            }
        }

        state.withLock { while !stopRequested { state.wait() } }
        logger.info("stopping: no new claims", metadata: [
            "running": "\(leases.count)", "grace_seconds": "\(configuration.gracePeriod)",
        ])
        wake.wakeAll()
        let deadline = Date(timeIntervalSinceNow: configuration.gracePeriod)
        state.withLock {
            while liveSlots > 0 && !hurried {
                if !state.wait(until: deadline) { break }
            }
        }

        let unfinished = leases.surrenderAll()
        var released = 0
        if !unfinished.isEmpty {
            do {
                released = try queue.release(worker: identity.id, jobs: unfinished.map(\.id))
                for job in unfinished {
                    logger.notice("job released", metadata: ["trace_id": "\(job.traceID)", "job_id": "\(job.id)"])
                }
            } catch {
                // Their leases will expire and the rescuer requeues them.
                logger.error("could not release unfinished jobs", metadata: ["error": "\(error)", "jobs": "\(unfinished.count)"])
            }
        }
        state.withLock {
            finished = true
            state.broadcast()
        }
        // The heartbeat must not write RUNNING after STOPPED; the listener is waited
        // for so an in-process caller gets its connections back.
        _ = heartbeatEnded.wait(timeout: .now() + 10)
        _ = listenerEnded.wait(timeout: .now() + 2)
        do {
            try queue.recordWorkerHeartbeat(identity, kinds: plan.kinds, status: "STOPPED")
        } catch {
            logger.error("could not record the STOPPED heartbeat", metadata: ["error": "\(error)"])
        }
        logger.info("worker stopped", metadata: ["released": "\(released)"])
        return Shutdown(released: released)
    }

    /// Thread-safe; a second call skips the rest of the grace period.
    public func stop() {
        state.withLock {
            if stopRequested { hurried = true }
            stopRequested = true
            state.broadcast()
        }
        wake.wakeAll()
    }

    var isStopping: Bool { state.withLock { stopRequested } }

    var isFinished: Bool { state.withLock { finished } }

    /// Sleeps `seconds` unless the worker finishes first; returns true when it has.
    func pause(_ seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        return state.withLock {
            while !finished {
                if !state.wait(until: deadline) { break }
            }
            return finished
        }
    }

    func options(role: String) -> Connection.Options {
        var options = configuration.database
        options.applicationName = "gauntlet-worker-\(role)"
        return options
    }

    private func startThread(_ name: String, _ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
        let ended = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            ended.signal()
        }
        thread.name = name
        thread.start()
        return ended
    }
}
