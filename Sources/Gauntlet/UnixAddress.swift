import Foundation

/// An AF_UNIX socket address: a path, or with a leading `@` an abstract name (a NUL
/// byte in the kernel's view, as systemd's NOTIFY_SOCKET may be). For the places the
/// executable talks to a unix socket itself: doctor's connect and sd_notify's sendto.
struct UnixAddress {
    private var address = sockaddr_un()
    private let length: socklen_t

    /// Nil when the path does not fit `sun_path`.
    init?(_ path: String) {
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
        }
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafePointer(to: address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) } }
    }
}
