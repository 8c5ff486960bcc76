import Foundation

/// systemd's readiness protocol (sd_notify(3)) without libsystemd: one datagram
/// of `KEY=VALUE` lines to the socket named by `NOTIFY_SOCKET`. Outside systemd
/// the variable is unset and every call does nothing.
///
/// The host's zero-downtime reload depends on it: a replacement host is not
/// the unit's main process, so once it owns the socket it tells systemd
/// `MAINPID=<itself>` (the unit has `NotifyAccess=all`) before retiring its
/// predecessor; systemd then follows the new host instead of treating the old
/// one's exit as the service stopping.
struct ServiceNotifier {
    let socketPath: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Sends the state lines; returns false when there is no manager or it could not be reached.
    @discardableResult
    func notify(_ state: [String: String]) -> Bool {
        guard let socketPath else { return false }
        let message = state.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        // A leading '@' names an abstract socket: a NUL byte in the kernel's view.
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.enumerated() { raw[i] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count)
        let sent = message.withCString { text in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, text, strlen(text), 0, $0, length)
                }
            }
        }
        return sent >= 0
    }
}
