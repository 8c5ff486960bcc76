import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny blocking HTTP/1.1 server on 127.0.0.1 (ephemeral port unless one is given,
/// one thread, one request per connection) that plays a provider in tests. Every
/// request is recorded so tests can assert what the client sent. Shared by the
/// MarketData and Paper tests.
public final class StandInServer: @unchecked Sendable {
    public struct Request: Sendable {
        public let method: String
        /// Path without the query.
        public let path: String
        public let query: [String: String]
        /// Lower-cased names.
        public let headers: [String: String]
        public let body: Data

        /// Form fields of an `application/x-www-form-urlencoded` body.
        public var form: [String: String] { StandInServer.parseQuery(String(decoding: body, as: UTF8.self)) }
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data

        public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Response {
            Response(status: status, headers: [("Content-Type", "application/json")] + headers, body: Data(text.utf8))
        }

        public static func text(_ status: Int, _ data: Data, type: String = "text/csv") -> Response {
            Response(status: status, headers: [("Content-Type", type)], body: data)
        }
    }

    public typealias Handler = @Sendable (Request, _ index: Int) -> Response

    private let listener: Int32
    public let port: UInt16
    private let handler: Handler
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    public var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    /// `handler` gets each request and its 0-based index among all requests so far.
    /// `requested` 0 picks a free port; a given port lets a test bring a stopped server back
    /// where its clients expect it.
    public init(port requested: UInt16 = 0, handler: @escaping Handler) throws {
        self.handler = handler
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = requested.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.start()
    }

    /// Stops accepting, wakes the accept call and waits for the thread to end.
    public func stop() {
        lock.lock()
        let already = stopping
        stopping = true
        lock.unlock()
        guard !already else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        _ = finished.wait(timeout: .now() + 5)
    }

    deinit { stop() }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func serve() {
        while !isStopping {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if isStopping { return }
                continue
            }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if let request = readRequest(connection) {
                lock.lock()
                let index = recorded.count
                recorded.append(request)
                lock.unlock()
                write(handler(request, index), to: connection)
            }
            close(connection)
        }
    }

    /// Reads head and Content-Length body; bounded to 1 MiB.
    private func readRequest(_ connection: Int32) -> Request? {
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let separator = Data("\r\n\r\n".utf8)
        var headEnd: Range<Data.Index>?
        var expectedLength: Int?
        while buffer.count < 1 << 20 {
            if let end = headEnd ?? buffer.range(of: separator) {
                headEnd = end
                if expectedLength == nil {
                    let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                    expectedLength = head.split(separator: "\r\n").compactMap { line -> Int? in
                        let parts = line.split(separator: ":", maxSplits: 1)
                        guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                        return Int(parts[1].trimmingCharacters(in: .whitespaces))
                    }.first ?? 0
                }
                if buffer.count - end.upperBound >= expectedLength! { break }
            }
            let n = recv(connection, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
        guard let end = headEnd else { return nil }
        let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        let target = String(requestLine[1])
        let pathAndQuery = target.split(separator: "?", maxSplits: 1).map(String.init)
        return Request(
            method: String(requestLine[0]), path: pathAndQuery[0].removingPercentEncoding ?? pathAndQuery[0],
            query: pathAndQuery.count > 1 ? Self.parseQuery(pathAndQuery[1]) : [:], headers: headers,
            body: Data(buffer[end.upperBound...]))
    }

    #if os(Linux)
    private static let sendFlags = Int32(MSG_NOSIGNAL)  // a client hanging up must not kill the test run
    #else
    private static let sendFlags: Int32 = 0
    #endif

    private func write(_ response: Response, to connection: Int32) {
        var head = "HTTP/1.1 \(response.status) \(response.status < 300 ? "OK" : "Error")\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Data(head.utf8) + response.body
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = send(connection, raw.baseAddress! + offset, raw.count - offset, Self.sendFlags)
                if n <= 0 { return }
                offset += n
            }
        }
    }

    public static func parseQuery(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            fields[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        return fields
    }
}
