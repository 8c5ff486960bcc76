import CFastCGI
import Foundation
import Logging

/// A FastCGI server on a unix socket: one event loop and N request threads.
///
/// nginx keeps its connections to the host open (`fastcgi_keep_conn` with an
/// upstream `keepalive` pool): a new connection per request, and libfcgi's
/// shutdown-and-drain close of it, cost about two thirds of the host's time, in
/// the kernel. A kept connection is idle most of the time, so no thread waits on
/// one: the event loop (epoll) watches the listener and every idle connection and
/// hands a connection with a request waiting to a free request thread, which owns
/// it for that request and gives it back. Any number of kept connections share the
/// threads (a thread per kept connection hung once nginx kept more connections
/// than there were threads).
///
/// Socket handoff (DESIGN.md §5): the server binds `<socket>.<pid>`, makes it
/// 0660 for nginx's group and `rename()`s it over `<socket>`, an atomic swap, so
/// nginx always finds a listener. A server being replaced (or stopped) calls
/// `drain()`: `shutdown()` on its own listener; the loop accepts what was already
/// queued, then no more. Its kept connections are still served until nginx closes
/// them: nginx closes its upstream connections after `keepalive_time` (and idle
/// ones after `keepalive_timeout`), never the host, because a host closing an idle
/// connection races a request nginx may be sending on it — a POST lost that way is
/// not retried. `run()` returns when no connection is left, or after
/// `drainLimit` with only idle ones left.
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

        /// How long a drained server waits for nginx to close its kept connections.
        public var drainLimit: Double

        /// Open connections at most; past it new ones wait in the listen backlog.
        /// Below FD_SETSIZE (1024): libfcgi's close uses select().
        public var maxConnections: Int

        public init(socketPath: String, threads: Int = 8, maxBodyBytes: Int = 1 << 20, backlog: Int = 1024,
                    socketGroup: String? = nil, drainLimit: Double = 30, maxConnections: Int = 512) {
            self.socketPath = socketPath
            self.socketGroup = socketGroup
            self.threads = threads
            self.maxBodyBytes = maxBodyBytes
            self.backlog = backlog
            self.drainLimit = drainLimit
            self.maxConnections = min(maxConnections, 900)
        }
    }

    public let configuration: Configuration
    private let makeHandler: @Sendable () -> any RequestHandler
    private let logger: Logger
    private var listener: Int32 = -1
    private var boundInode: UInt = 0
    private let state = NSLock()
    private var draining = false
    private var drainStarted: DispatchTime?

    // The event loop's state; `table` is shared with the request threads (under `state`).
    private var poller: Int32 = -1
    private var table: [UInt64: KeptConnection] = [:]
    private var nextToken: UInt64 = 1
    private var listenerArmed = false
    private var listenerOpen = false
    private var busy = 0
    private let ready = ReadyQueue()
    private static let listenerToken: UInt64 = 0

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
        // The event loop accepts; it must never block in accept().
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        poller = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard poller >= 0 else { throw HostError("epoll_create1: \(String(cString: strerror(errno)))") }
        guard rename(staging, path) == 0 else {
            throw HostError("rename \(staging) → \(path): \(String(cString: strerror(errno)))")
        }
        listener = fd
        listenerOpen = true
        watch(fd, token: Server.listenerToken, add: true)
        listenerArmed = true
        logger.info("listening", metadata: ["socket": "\(path)", "threads": "\(configuration.threads)"])
    }

    /// Serves until `drain()` is called and every connection is closed.
    public func run() {
        let finished = DispatchGroup()
        for index in 0..<configuration.threads {
            finished.enter()
            let thread = Thread { [self] in
                requestLoop()
                finished.leave()
            }
            thread.name = "fcgi-\(index)"
            thread.stackSize = 4 << 20
            thread.start()
        }
        eventLoop()
        ready.close()
        finished.wait()
        close(poller)
        logger.info("drained", metadata: ["socket": "\(configuration.socketPath)"])
    }

    /// Stops accepting; queued and in-flight requests are still answered, and kept
    /// connections served until nginx closes them. Safe to call from any thread, more than once.
    public func drain() {
        state.lock()
        defer { state.unlock() }
        guard !draining, poller >= 0 else { return }
        draining = true
        drainStarted = .now()
        logger.info("draining", metadata: ["socket": "\(configuration.socketPath)",
                                           "connections": "\(table.count)"])
        guard listenerOpen else { return }
        // Wakes the event loop: the listener reports the hang-up, and accept() hands
        // over what was already queued before it fails.
        shutdown(listener, Int32(SHUT_RDWR))
        if !listenerArmed {
            listenerArmed = true
            watch(listener, token: Server.listenerToken, add: false)
        }
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

    // MARK: - the event loop

    /// Registers (or re-arms) `fd` for one readiness report: one-shot, so a
    /// connection is reported again only after its request thread gives it back.
    private func watch(_ fd: Int32, token: UInt64, add: Bool) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLONESHOT.rawValue
        event.data.u64 = token
        if epoll_ctl(poller, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) != 0 {
            logger.error("epoll_ctl failed", metadata: ["fd": "\(fd)", "error": "\(String(cString: strerror(errno)))"])
        }
    }

    private func eventLoop() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = events.withUnsafeMutableBufferPointer {
                epoll_wait(poller, $0.baseAddress, Int32($0.count), 100)
            }
            if count < 0 && errno != EINTR {
                logger.error("epoll_wait failed", metadata: ["error": "\(String(cString: strerror(errno)))"])
                closeListener()
                return
            }
            for event in events.prefix(max(0, Int(count))) {
                let token = event.data.u64
                if token == Server.listenerToken {
                    acceptWaiting()
                } else {
                    state.lock()
                    let connection = table[token]
                    if connection != nil { busy += 1 }
                    state.unlock()
                    if let connection { ready.push(connection) }
                }
            }
            if finishedDraining() { return }
        }
    }

    /// Accepts every queued connection (up to `maxConnections` open) and watches each
    /// for its first request.
    private func acceptWaiting() {
        state.lock()
        listenerArmed = false
        state.unlock()
        while true {
            state.lock()
            // A draining server takes what is queued whatever the count: the backlog is finite.
            let room = draining || table.count < configuration.maxConnections
            state.unlock()
            guard room else { return }  // re-armed when a connection closes
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                state.lock()
                let stopping = draining
                state.unlock()
                if stopping || (errno != EAGAIN && errno != EWOULDBLOCK) {
                    if !stopping {
                        logger.error("accept failed", metadata: ["error": "\(String(cString: strerror(errno)))"])
                    }
                    closeListener()
                    return
                }
                state.lock()
                listenerArmed = true
                state.unlock()
                watch(listener, token: Server.listenerToken, add: false)
                return
            }
            // Blocking (libfcgi reads it), not inherited by anything the host runs.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            state.lock()
            let token = nextToken
            nextToken += 1
            table[token] = KeptConnection(token: token, descriptor: fd)
            state.unlock()
            watch(fd, token: token, add: true)
        }
    }

    private func closeListener() {
        state.lock()
        defer { state.unlock() }
        guard listenerOpen else { return }
        listenerOpen = false
        epoll_ctl(poller, EPOLL_CTL_DEL, listener, nil)
        // Before close(): once closed, the socket's inode number is free for the next
        // host's socket, and the check would take that socket for ours.
        removeSocketIfStillOurs()
        close(listener)
    }

    /// Drained: the listener is closed and no connection is left — or the drain
    /// limit has passed and none is in a request thread's hands.
    private func finishedDraining() -> Bool {
        state.lock()
        defer { state.unlock() }
        guard draining, !listenerOpen else { return false }
        if table.isEmpty { return true }
        guard let started = drainStarted, busy == 0,
              Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 > configuration.drainLimit
        else { return false }
        logger.warning("drain limit reached; closing idle kept connections",
                       metadata: ["connections": "\(table.count)"])
        for connection in table.values { connection.abandon() }
        table.removeAll()
        return true
    }

    // MARK: - request threads

    private func requestLoop() {
        let handler = makeHandler()
        while let connection = ready.pop() {
            var open = connection.next()
            if open {
                serve(&connection.request.pointee, handler: handler)
                open = connection.finish()
            }
            state.lock()
            busy -= 1
            if !open { table[connection.token] = nil }
            let rearmListener = !open && !listenerArmed && listenerOpen && !draining
                && table.count < configuration.maxConnections
            if rearmListener { listenerArmed = true }
            state.unlock()
            if open { watch(connection.descriptor, token: connection.token, add: false) }
            if rearmListener { watch(listener, token: Server.listenerToken, add: false) }
        }
    }

    private func serve(_ raw: inout FCGX_Request, handler: any RequestHandler) {
        let started = DispatchTime.now().uptimeNanoseconds
        let params = FastCGIParams(raw.envp)
        let declaredLength = Int(params["CONTENT_LENGTH"] ?? "") ?? 0
        let tooLarge = declaredLength > configuration.maxBodyBytes
        let body = tooLarge ? [] : readBody(raw.in, expected: declaredLength)
        drainInput(raw.in)
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

    /// Reads the request's input to its end (nginx's empty FCGI_STDIN record): what
    /// is left of an oversized body (closing early would make nginx log a broken pipe
    /// and answer 502 instead of our 413), and on a kept connection anything of this
    /// request that would otherwise look like the start of the next one. Usually a
    /// single call that finds the end already buffered; the scratch is on the stack.
    private func drainInput(_ stream: UnsafeMutablePointer<FCGX_Stream>?) {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 4096) { scratch in
            while FCGX_GetStr(scratch.baseAddress, Int32(scratch.count), stream) > 0 {}
        }
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
