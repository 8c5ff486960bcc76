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
        guard let address = UnixAddress(socketPath) else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let sent = message.withCString { text in
            address.withSockaddr { sendto(fd, text, strlen(text), 0, $0, $1) }
        }
        return sent >= 0
    }
}
