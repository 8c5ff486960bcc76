import Foundation

/// A FastCGI client that keeps its connection, as nginx does with
/// `fastcgi_keep_conn on`: each request sets FCGI_KEEP_CONN and the connection
/// carries the next one. (cgi-fcgi opens one connection per request.)
final class FastCGIClient {
    private let fd: Int32
    private var nextId: UInt16 = 1

    init(socket path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
        // A server that never answers fails the test instead of hanging it.
        var limit = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends a GET for `uri` and returns the CGI output (status line, headers, body).
    func get(_ uri: String) throws -> String {
        let id = nextId
        nextId += 1
        var out: [UInt8] = []
        out += Self.record(type: 1, id: id, body: [0, 1, 1, 0, 0, 0, 0, 0])  // BEGIN_REQUEST, responder, keep
        var params: [UInt8] = []
        for (name, value) in [("REQUEST_METHOD", "GET"), ("DOCUMENT_URI", uri), ("QUERY_STRING", ""), ("CONTENT_LENGTH", "0")] {
            params += [UInt8(name.utf8.count), UInt8(value.utf8.count)] + Array(name.utf8) + Array(value.utf8)
        }
        out += Self.record(type: 4, id: id, body: params) + Self.record(type: 4, id: id, body: [])
        out += Self.record(type: 5, id: id, body: [])  // empty STDIN: no body
        guard out.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == out.count else { throw POSIXError(.EPIPE) }

        var stdout: [UInt8] = []
        while true {
            let header = try read(8)
            let length = Int(header[4]) << 8 | Int(header[5])
            let body = try read(length + Int(header[6]))
            switch header[1] {
            case 6: stdout += body.prefix(length)  // STDOUT
            case 3: return String(decoding: stdout, as: UTF8.self)  // END_REQUEST
            default: continue
            }
        }
    }

    private static func record(type: UInt8, id: UInt16, body: [UInt8]) -> [UInt8] {
        [1, type, UInt8(id >> 8), UInt8(id & 0xFF), UInt8(body.count >> 8), UInt8(body.count & 0xFF), 0, 0] + body
    }

    private func read(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + done, count - done) }
            guard n > 0 else { throw POSIXError(.ECONNRESET) }
            done += n
        }
        return bytes
    }
}
