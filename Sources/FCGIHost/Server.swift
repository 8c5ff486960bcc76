import CFastCGI
import Foundation
import Logging

/// A FastCGI server on a unix socket with N blocking accept threads.
///
/// Socket handoff (DESIGN.md §5): the server binds `<socket>.<pid>`, makes it
/// world-writable for nginx's `nobody` workers and `rename()`s it over
/// `<socket>` — an atomic swap, so nginx always finds a listener. A server
/// that is being replaced (or stopped) calls `drain()`: `shutdown()` on its
/// own listener wakes every thread blocked in accept; each finishes the
/// request it holds, and `run()` returns when all are done.
public final class Server: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var socketPath: String
        public var threads: Int
        public var maxBodyBytes: Int
        public var backlog: Int

        /// The group that may connect (nginx's workers): the socket is 0660 and
        /// belongs to it, so no other local user can bypass nginx. Nil: the host's own
        /// group only.
        public var socketGroup: String?

        public init(socketPath: String, threads: Int = 8, maxBodyBytes: Int = 1 << 20, backlog: Int = 1024,
                    socketGroup: String? = nil) {
            self.socketPath = socketPath
            self.socketGroup = socketGroup
            self.threads = threads
            self.maxBodyBytes = maxBodyBytes
            self.backlog = backlog
        }
    }

    public let configuration: Configuration
    private let makeHandler: @Sendable () -> any RequestHandler
    private let logger: Logger
    private var listener: Int32 = -1
    private var boundInode: UInt = 0
    private let state = NSLock()
    private var draining = false

    public init(configuration: Configuration, logger: Logger,
                makeHandler: @escaping @Sendable () -> any RequestHandler) {
        self.configuration = configuration
        self.logger = logger
        self.makeHandler = makeHandler
    }

    /// Binds the socket and swaps it into place. After this returns, new
    /// connections reach this server, so the caller may retire the old one.
    public func bind() throws {
        signal(SIGPIPE, SIG_IGN)
        guard FCGX_Init() == 0 else { throw HostError("FCGX_Init failed") }
        let path = configuration.socketPath
        let staging = "\(path).\(getpid())"
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = FCGX_OpenSocket(staging, Int32(configuration.backlog))
        guard fd >= 0 else { throw HostError("could not listen on \(staging): \(String(cString: strerror(errno)))") }
        // Read-write for the host and nginx's worker group, nobody else (it was 0666:
        // any local user could talk to the host directly, past nginx and its limits).
        if let name = configuration.socketGroup {
            guard let group = getgrnam(name) else { throw HostError("socket group \(name) does not exist") }
            guard chown(staging, uid_t.max, group.pointee.gr_gid) == 0 else {
                throw HostError("chown \(staging) to group \(name): \(String(cString: strerror(errno)))")
            }
        }
        guard chmod(staging, 0o660) == 0 else { throw HostError("chmod \(staging): \(String(cString: strerror(errno)))") }
        var info = stat()
        if stat(staging, &info) == 0 { boundInode = UInt(info.st_ino) }
        guard rename(staging, path) == 0 else {
            throw HostError("rename \(staging) → \(path): \(String(cString: strerror(errno)))")
        }
        listener = fd
        logger.info("listening", metadata: ["socket": "\(path)", "threads": "\(configuration.threads)"])
    }

    /// Serves until `drain()` is called and every in-flight request is done.
    public func run() {
        let finished = DispatchSemaphore(value: 0)
        for index in 0..<configuration.threads {
            let thread = Thread { [self] in
                acceptLoop(thread: index)
                finished.signal()
            }
            thread.name = "fcgi-\(index)"
            thread.stackSize = 4 << 20
            thread.start()
        }
        for _ in 0..<configuration.threads { finished.wait() }
        close(listener)
        removeSocketIfStillOurs()
        logger.info("drained", metadata: ["socket": "\(configuration.socketPath)"])
    }

    /// Stops accepting; queued and in-flight requests are still answered.
    /// Safe to call from any thread, more than once.
    public func drain() {
        state.lock()
        defer { state.unlock() }
        guard !draining, listener >= 0 else { return }
        draining = true
        logger.info("draining", metadata: ["socket": "\(configuration.socketPath)"])
        shutdown(listener, Int32(SHUT_RDWR))
    }

    /// When the server is stopped rather than replaced, the path still names
    /// its (now closed) socket; remove it so nothing connects to a corpse.
    /// A successor's socket has another inode and is left alone.
    private func removeSocketIfStillOurs() {
        var info = stat()
        if stat(configuration.socketPath, &info) == 0, UInt(info.st_ino) == boundInode {
            unlink(configuration.socketPath)
        }
    }

    private func acceptLoop(thread index: Int) {
        let handler = makeHandler()
        var request = FCGX_Request()
        FCGX_InitRequest(&request, listener, 0)
        while FCGX_Accept_r(&request) >= 0 {
            serve(&request, handler: handler)
            FCGX_Finish_r(&request)
        }
        FCGX_Free(&request, 1)
    }

    private func serve(_ raw: inout FCGX_Request, handler: any RequestHandler) {
        let started = DispatchTime.now().uptimeNanoseconds
        let params = FastCGIParams(raw.envp)
        let declaredLength = Int(params["CONTENT_LENGTH"] ?? "") ?? 0
        let tooLarge = declaredLength > configuration.maxBodyBytes
        let body = tooLarge ? discardBody(raw.in) : readBody(raw.in, expected: declaredLength)
        let request = params.request(body: body)

        let response = tooLarge
            ? handler.bodyTooLarge(request, limit: configuration.maxBodyBytes)
            : handler.respond(to: request)
        write(response, traceId: request.traceId, to: raw.out)

        let elapsedMs = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        logger.info("request", metadata: [
            "method": "\(request.method)", "path": "\(request.path)", "status": "\(response.status)",
            "duration_ms": "\((elapsedMs * 1000).rounded() / 1000)", "trace_id": "\(request.traceId.uuidString.lowercased())",
        ])
    }

    private func readBody(_ stream: UnsafeMutablePointer<FCGX_Stream>?, expected: Int) -> [UInt8] {
        guard expected > 0 else { return [] }
        var body = [UInt8](repeating: 0, count: expected)
        let read = body.withUnsafeMutableBufferPointer { buffer in
            FCGX_GetStr(buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: expected) { $0 },
                        Int32(expected), stream)
        }
        if read < expected { body.removeLast(expected - Int(max(read, 0))) }
        return body
    }

    /// Reads and drops an oversized body: closing early would make nginx log a
    /// broken pipe and answer 502 instead of our 413.
    private func discardBody(_ stream: UnsafeMutablePointer<FCGX_Stream>?) -> [UInt8] {
        var scratch = [CChar](repeating: 0, count: 64 << 10)
        while scratch.withUnsafeMutableBufferPointer({ FCGX_GetStr($0.baseAddress, Int32($0.count), stream) }) > 0 {}
        return []
    }

    private func write(_ response: Response, traceId: UUID, to stream: UnsafeMutablePointer<FCGX_Stream>?) {
        var response = response
        response.headers.append(("X-Trace-Id", traceId.uuidString.lowercased()))
        let head = response.head()
        _ = head.withCString { FCGX_PutStr($0, Int32(strlen($0)), stream) }
        if !response.body.isEmpty {
            _ = response.body.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    FCGX_PutStr($0, Int32(buffer.count), stream)
                }
            }
        }
    }
}

public struct HostError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
