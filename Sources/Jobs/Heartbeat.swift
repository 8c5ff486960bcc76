import Foundation
import Logging
import Postgres

/// Every third of the shortest lease held (at most 2 s): records the worker's heartbeat row,
/// extends the leases of the jobs it holds and runs the lease rescuer, so a
/// job whose worker died is requeued by any live worker (the rescuer is
/// idempotent, so other schedulers may run it as well). A job whose lease was lost (expired and
/// rescued while this worker stalled) is marked so its result is dropped.
struct Heartbeat {
    let worker: Worker

    /// The longest pause; an idle worker (no lease to keep) beats at this pace. Each
    /// beat also runs the rescuer, so a dead worker's jobs (its session gone) are
    /// released within about this long by any live worker.
    static let maximumPause = 2.0

    /// A third of the shortest lease held, so two beats can be missed before it
    /// expires; never more than `maximumPause`, never a busy loop.
    var pause: Double {
        guard let lease = worker.leases.shortestLeaseSeconds else { return Self.maximumPause }
        return min(Self.maximumPause, max(0.2, lease / 3))
    }

    func run() {
        var connection: Connection?
        while !worker.pause(pause) {
            do {
                let opened = try connection ?? Connection(worker.options(role: "heartbeat"))
                connection = opened
                let queue = JobQueue(opened)
                try queue.recordWorkerHeartbeat(worker.identity, kinds: worker.plan.kinds)
                try extendLeases(queue)
                let rescued = try queue.rescueExpiredLeases()
                if rescued > 0 { worker.logger.warning("requeued jobs whose lease expired", metadata: ["jobs": "\(rescued)"]) }
            } catch {
                worker.logger.error("heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func extendLeases(_ queue: JobQueue) throws {
        let ids = worker.leases.activeIDs
        guard !ids.isEmpty else { return }
        let held = try queue.heartbeat(worker: worker.identity.id, jobs: ids)
        guard held < ids.count else { return }
        // heartbeat_jobs only counts; ask per job to learn which were lost. A job that
        // finished meanwhile is no longer held here and is skipped by markLost.
        for id in ids where try queue.heartbeat(worker: worker.identity.id, jobs: [id]) == 0 {
            if let job = worker.leases.markLost(id) {
                worker.logger.warning("lease lost; the job's result will be dropped", metadata: [
                    "trace_id": "\(job.traceID)", "job_id": "\(job.id)", "job_type": "\(job.type)",
                ])
            }
        }
    }
}
