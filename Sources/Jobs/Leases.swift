import Foundation

/// The jobs this worker process holds, shared by its slots (which add and finish
/// them), its heartbeat (which extends them and learns which were lost) and its
/// shutdown (which hands the rest back). A lost job may still be running on its
/// slot, but its result will not be reported: someone else owns it now.
final class Leases: @unchecked Sendable {
    private struct Entry {
        let job: ClaimedJob
        var lost: Bool
    }

    private let lock = NSLock()
    private var held: [UUID: Entry] = [:]

    func hold(_ jobs: [ClaimedJob]) {
        lock.withLock { for job in jobs { held[job.id] = Entry(job: job, lost: false) } }
    }

    /// Jobs still held and not lost: the ones to keep heartbeating.
    var activeIDs: [UUID] { lock.withLock { held.values.filter { !$0.lost }.map(\.job.id) } }

    var count: Int { lock.withLock { held.count } }

    /// The shortest lease among held jobs (each claim row says its lease), nil when none.
    var shortestLeaseSeconds: Double? {
        lock.withLock { held.values.filter { !$0.lost }.map { Double($0.job.leaseSeconds) }.min() }
    }

    /// Marks a job lost; returns it, or nil when it was already finished or lost.
    func markLost(_ id: UUID) -> ClaimedJob? {
        lock.withLock {
            guard let entry = held[id], !entry.lost else { return nil }
            held[id]?.lost = true
            return entry.job
        }
    }

    /// True when the job's result must not be reported (lost, released or unknown).
    func isLost(_ id: UUID) -> Bool { lock.withLock { held[id]?.lost ?? true } }

    func finish(_ id: UUID) {
        _ = lock.withLock { held.removeValue(forKey: id) }
    }

    /// Every job still held and not lost, now marked lost so no slot reports it:
    /// the caller is about to release them.
    func surrenderAll() -> [ClaimedJob] {
        lock.withLock {
            let jobs = held.values.filter { !$0.lost }.map(\.job)
            for job in jobs { held[job.id]?.lost = true }
            return jobs
        }
    }
}
