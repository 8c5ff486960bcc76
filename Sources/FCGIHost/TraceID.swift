import Foundation

/// Random (version 4) UUIDs for requests without an X-Request-Id, from glibc's
/// arc4random_buf (getrandom(2)). Foundation's `UUID()` opens, reads and closes /dev/urandom and
/// calls getpid each time: four system calls on every request (seen with strace
/// under wrk), where this makes one.
enum TraceID {
    static func random() -> UUID {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        // glibc's arc4random_buf: getrandom(2) underneath, no file to open.
        withUnsafeMutableBytes(of: &bytes) { arc4random_buf($0.baseAddress!, $0.count) }
        bytes.6 = (bytes.6 & 0x0f) | 0x40  // version 4
        bytes.8 = (bytes.8 & 0x3f) | 0x80  // RFC 4122 variant
        return UUID(uuid: bytes)
    }
}
