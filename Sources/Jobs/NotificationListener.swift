import Foundation
import Logging
import Postgres

/// LISTENs on `gauntlet_jobs` with its own connection and wakes idle slots when a
/// job is enqueued. After a broken connection it reconnects and wakes the slots
/// anyway, since notifications sent meanwhile are gone.
struct NotificationListener {
    let worker: Worker

    func run() {
        var connection: Connection?
        while !worker.isFinished {
            do {
                let listening: Connection
                if let connection {
                    listening = connection
                } else {
                    listening = try Connection(worker.options(role: "listener"))
                    try listening.listen(JobQueue.channel)
                    connection = listening
                    worker.wake.wakeAll()
                }
                // Short waits so a finishing worker is not kept waiting for its listener.
                let notifications = try listening.waitForNotifications(timeout: 0.5)
                if !notifications.isEmpty && !worker.isStopping { worker.wake.wakeAll() }
            } catch {
                worker.logger.warning("listener lost its connection; reconnecting", metadata: ["error": "\(error)"])
                connection = nil
                _ = worker.pause(1)
            }
        }
    }
}
