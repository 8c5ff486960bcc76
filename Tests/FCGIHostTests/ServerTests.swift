import FCGIHost
import Foundation
import Logging
import TestSupport
import XCTest

/// Drives the real libfcgi server over a real unix socket with `cgi-fcgi`
/// (Debian's libfcgi-bin), the FastCGI client that ships with libfcgi.
final class ServerTests: XCTestCase {
    struct Echo: RequestHandler {
        let name: String
        func respond(to request: Request) -> Response {
            let text = "\(name)|\(request.method)|\(request.path)|\(request.query["q"] ?? "")|"
                + "\(request.header("x-admin-token") ?? "")|\(String(decoding: request.body, as: UTF8.self))"
            return Response(status: 201, headers: [("Content-Type", "text/plain")], body: Array(text.utf8))
        }
        func bodyTooLarge(_ request: Request, limit: Int) -> Response {
            Response(status: 413, body: Array("too large: \(limit)".utf8))
        }
    }

    var directory: URL!

    override func setUpWithError() throws {
        directory = URL(fileURLWithPath: "/tmp/fcgi-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    func start(_ name: String, socket: String, maxBody: Int = 1024) throws -> (Server, DispatchGroup) {
        let server = Server(configuration: .init(socketPath: socket, threads: 2, maxBodyBytes: maxBody),
                            logger: Logger(label: "test"), makeHandler: { Echo(name: name) })
        try server.bind()
        let done = DispatchGroup()
        done.enter()
        Thread { server.run(); done.leave() }.start()
        return (server, done)
    }

    /// One FastCGI request through cgi-fcgi; returns its raw CGI output.
    func call(_ socket: String, method: String = "GET", uri: String, body: String = "",
              headers: [String: String] = [:]) throws -> String {
        let parts = uri.split(separator: "?", maxSplits: 1)
        var environment = ["REQUEST_METHOD": method, "DOCUMENT_URI": String(parts[0]),
                           "QUERY_STRING": parts.count > 1 ? String(parts[1]) : "",
                           "CONTENT_LENGTH": String(body.utf8.count)]
        for (name, value) in headers { environment["HTTP_" + name.uppercased().replacingOccurrences(of: "-", with: "_")] = value }
        return try Subprocess.run("/usr/bin/cgi-fcgi", ["-bind", "-connect", socket],
                                  environment: environment, input: Data(body.utf8)).text
    }

    func testParsesRequestAndWritesStatusHeadersBody() throws {
        let socket = directory.appendingPathComponent("api.sock").path
        let (server, done) = try start("one", socket: socket)
        let out = try call(socket, method: "POST", uri: "/api/things?q=caf%C3%A9+au+lait",
                           body: "{\"a\":1}", headers: ["X-Admin-Token": "t0k"])
        XCTAssertTrue(out.hasPrefix("Status: 201 Created\r\n"), out)
        XCTAssertTrue(out.contains("Content-Length: "), out)
        XCTAssertTrue(out.contains("X-Trace-Id: "), out)
        XCTAssertTrue(out.hasSuffix("one|POST|/api/things|café au lait|t0k|{\"a\":1}"), out)
        // Read-write for the host's user and group only (with a socketGroup, nginx's
        // workers'): never world-writable, so no other local user bypasses nginx.
        let mode = try FileManager.default.attributesOfItem(atPath: socket)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o660)
        server.drain()
        done.wait()
    }

    func testOversizedBodyGetsTheHandlersLimitAnswer() throws {
        let socket = directory.appendingPathComponent("api.sock").path
        let (server, done) = try start("one", socket: socket, maxBody: 16)
        let out = try call(socket, method: "POST", uri: "/api/x", body: String(repeating: "x", count: 5000))
        XCTAssertTrue(out.hasPrefix("Status: 413"), out)
        XCTAssertTrue(out.hasSuffix("too large: 16"), out)
        server.drain()
        done.wait()
    }

    func testReplacementTakesTheSocketAndDrainedServerLeavesItAlone() throws {
        let socket = directory.appendingPathComponent("api.sock").path
        let (first, firstDone) = try start("first", socket: socket)
        XCTAssertTrue(try call(socket, uri: "/a").hasSuffix("first|GET|/a|||"))

        let (second, secondDone) = try start("second", socket: socket)
        first.drain()
        firstDone.wait()
        // The path now names the successor's socket, which must survive the
        // old server's exit.
        XCTAssertTrue(try call(socket, uri: "/b").hasSuffix("second|GET|/b|||"))

        second.drain()
        secondDone.wait()
        // A server that is stopped, not replaced, removes its socket.
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket))
    }

    // MARK: - kept connections (nginx's fastcgi_keep_conn)

    func testKeptConnectionCarriesManyRequests() throws {
        let socket = directory.appendingPathComponent("api.sock").path
        let (server, done) = try start("kept", socket: socket)
        var client: FastCGIClient? = try FastCGIClient(socket: socket)
        for n in 1...50 {
            XCTAssertTrue(try client!.get("/r/\(n)").hasSuffix("kept|GET|/r/\(n)|||"), "request \(n)")
        }
        server.drain()
        // Drained, yet its kept connection is still served: nginx, not the host,
        // closes it (a host closing an idle one would race nginx's next request).
        XCTAssertTrue(try client!.get("/after-drain").hasSuffix("kept|GET|/after-drain|||"))
        XCTAssertEqual(done.wait(timeout: .now() + 0.5), .timedOut, "run() returned with a connection still open")
        client = nil
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success, "run() did not return once the connection closed")
    }

    /// A thread per kept connection hung once nginx kept more connections than there
    /// were threads. Idle kept connections hold no thread: 2 threads, 20 idle kept
    /// connections, and a new one is still answered at once.
    func testIdleKeptConnectionsHoldNoThread() throws {
        let socket = directory.appendingPathComponent("api.sock").path
        let (server, done) = try start("many", socket: socket)
        var idle: [FastCGIClient] = []
        for n in 0..<20 {
            let client = try FastCGIClient(socket: socket)
            XCTAssertTrue(try client.get("/idle/\(n)").hasSuffix("many|GET|/idle/\(n)|||"))
            idle.append(client)
        }
        let started = Date()
        XCTAssertTrue(try call(socket, uri: "/fresh").hasSuffix("many|GET|/fresh|||"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 1, "a new connection waited behind idle kept ones")
        // Every kept connection still answers.
        for (n, client) in idle.enumerated() { XCTAssertTrue(try client.get("/again/\(n)").hasSuffix("/again/\(n)|||")) }
        server.drain()
        idle.removeAll()  // nginx closes them: the drain completes
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success, "run() did not return once the connections closed")
    }
}
