import Foundation

/// Wakes idle slots when a job may be waiting (a NOTIFY arrived, or the worker is
/// stopping). A generation counter closes the gap between "claimed nothing" and
/// "went to sleep": a wake-up in between is not lost, the wait returns at once.
final class WakeSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var generationValue: UInt64 = 0

    var generation: UInt64 { condition.withLock { generationValue } }

    func wakeAll() {
        condition.withLock {
            generationValue &+= 1
            condition.broadcast()
        }
    }

    /// Sleeps until the generation moves past `seen` or `timeout` seconds pass.
    func wait(since seen: UInt64, timeout: Double) {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.withLock {
            while generationValue == seen {
                if !condition.wait(until: deadline) { return }
            }
        }
    }
}
