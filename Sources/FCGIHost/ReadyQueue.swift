import Foundation

/// Connections that have a request waiting, in arrival order, for the request
/// threads. `pop()` blocks until there is one, or returns nil once the queue is closed.
final class ReadyQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [KeptConnection] = []
    private var head = 0
    private var closed = false

    func push(_ connection: KeptConnection) {
        condition.lock()
        items.append(connection)
        condition.signal()
        condition.unlock()
    }

    func pop() -> KeptConnection? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        guard head < items.count else { return nil }
        let next = items[head]
        head += 1
        // Reclaim the consumed prefix now and then rather than shifting on every pop.
        if head == items.count || head >= 1024 {
            items.removeFirst(head)
            head = 0
        }
        return next
    }

    /// Wakes every thread waiting in `pop()`; what is queued is still handed out.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
