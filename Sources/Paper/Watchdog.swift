import Foundation
import Logging

/// Ends the process when a session's loop has not gone round for `limit` seconds — a
/// frozen loop (a statement blocked on a lock, a stream call that never returns). A
/// thread cannot be killed safely, and the ledger is crash-safe, so the whole runner
/// exits (status 70, EX_SOFTWARE) with a `WATCHDOG_TIMEOUT` log line: its account
/// locks go with its connections, its jobs' leases lapse, and the next runner resumes
/// every session where the ledger stands.
final class Watchdog: @unchecked Sendable {
    let limit: TimeInterval
    let logger: Logger
    private let lock = NSLock()
    private var watched: [(control: SessionControl, name: String)] = []

    init(limit: TimeInterval, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    func watch(_ control: SessionControl, name: String) {
        control.tick()
        lock.withLock { watched.append((control, name)) }
    }

    func forget(_ control: SessionControl) {
        lock.withLock { watched.removeAll { $0.control === control } }
    }

    /// Exits the process if any watched loop is frozen.
    func check() {
        let frozen = lock.withLock { watched.first { Date().timeIntervalSince($0.control.lastProgress) > limit } }
        guard let frozen else { return }
        let silent = Int(Date().timeIntervalSince(frozen.control.lastProgress))
        logger.critical("WATCHDOG_TIMEOUT", metadata: ["bot": "\(frozen.name)", "frozen_seconds": "\(silent)",
                                                       "limit_seconds": "\(Int(limit))"])
        exit(70)
    }
}
