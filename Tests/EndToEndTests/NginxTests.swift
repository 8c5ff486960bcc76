import Foundation
import XCTest

/// What nginx itself answers: its own errors under /api/ in the API's JSON envelope
/// (they were HTML), the admin rate limit, and the UI's security headers.
final class NginxTests: XCTestCase {
    /// One raw HTTP/1.1 exchange over TCP (for requests URLSession will not send:
    /// TRACE, a malformed header) — the status line and the body.
    private func raw(_ request: String) throws -> (status: Int, body: String, head: String) {
        let url = try XCTUnwrap(URL(string: try HTTP.baseURL))
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(url.port ?? 80).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0, "connect")
        _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        let parts = text.components(separatedBy: "\r\n\r\n")
        return (status, parts.dropFirst().joined(separator: "\r\n\r\n"), parts.first ?? "")
    }

    private func envelope(_ body: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        let error = object?["error"] as? [String: Any]
        XCTAssertNotNil(error?["trace_id"], "not the JSON envelope: \(body)", file: file, line: line)
        return error?["code"] as? String
    }

    func testNginxsOwnErrorsAreTheJSONEnvelope() throws {
        let trace = try raw("TRACE /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(trace.status, 405)
        XCTAssertEqual(envelope(trace.body), "METHOD_NOT_ALLOWED")
        // RFC 9110: a 405 names the methods the resource does allow (found by schemathesis).
        XCTAssertTrue(trace.head.lowercased().contains("\r\nallow: "), "no Allow header: \(trace.head)")

        let malformed = try raw("GET /api/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(malformed.status, 400)
        XCTAssertEqual(envelope(malformed.body), "BAD_REQUEST")

        let long = try HTTP.get("/api/backtests?botId=" + String(repeating: "a", count: 20_000))
        XCTAssertEqual(long.status, 414)
        XCTAssertEqual(envelope(String(decoding: long.body, as: UTF8.self)), "URI_TOO_LONG")
        XCTAssertEqual(long.header("Content-Type"), "application/json")

        let huge = try HTTP.request("POST", "/api/backtests", body: Data(count: 9 * 1024 * 1024),
                                    headers: ["Content-Type": "application/json"], timeout: 30)
        XCTAssertEqual(huge.status, 413)
        XCTAssertEqual(envelope(String(decoding: huge.body, as: UTF8.self)), "BODY_TOO_LARGE")
    }

    /// Guessing the admin token from one client: after a short burst, 429 RATE_LIMITED.
    func testAdminGuessesAreRateLimited() throws {
        let statuses = Statuses()
        DispatchQueue.concurrentPerform(iterations: 60) { _ in
            let reply = try? HTTP.request("POST", "/api/admin/loop", body: Data(#"{"enabled": true}"#.utf8),
                                          headers: ["Content-Type": "application/json", "X-Admin-Token": "guess"])
            statuses.add(reply.map { ($0.status, $0.error["code"] as? String) } ?? (0, nil))
        }
        let all = statuses.all
        XCTAssertGreaterThan(all.filter { $0.0 == 403 }.count, 0, "some guesses reach the host and are refused")
        let limited = all.filter { $0.0 == 429 }
        XCTAssertGreaterThan(limited.count, 0, "60 guesses at once are not all let through")
        XCTAssertTrue(limited.allSatisfy { $0.1 == "RATE_LIMITED" }, "\(limited)")
        Thread.sleep(forTimeInterval: 5)  // the burst refills before other tests use the admin API
    }

    /// The host's FastCGI socket is 0660 for nginx's worker group: nginx's user
    /// connects, another local user cannot (it could bypass nginx and its limits).
    func testTheHostSocketIsClosedToOtherLocalUsers() throws {
        let socket = try XCTUnwrap(ProcessInfo.processInfo.environment["GAUNTLET_SOCKET"], "run through scripts/test")
        let group = try XCTUnwrap(ProcessInfo.processInfo.environment["GAUNTLET_SOCKET_GROUP"])
        let attributes = try FileManager.default.attributesOfItem(atPath: socket)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o660)
        XCTAssertEqual(attributes[.groupOwnerAccountName] as? String, group)
        func connect(as user: String) throws -> Int32 {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            probe.arguments = ["-u", user, "--", "python3", "-c",
                               "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])", socket]
            probe.standardError = FileHandle.nullDevice
            try probe.run()
            probe.waitUntilExit()
            return probe.terminationStatus
        }
        XCTAssertEqual(try connect(as: group), 0, "nginx's user connects")
        XCTAssertNotEqual(try connect(as: "nobody"), 0, "another local user is refused")
    }

    func testTheUIIsServedWithSecurityHeaders() throws {
        let page = try HTTP.get("/index.html")
        XCTAssertEqual(page.status, 200)
        let policy = try XCTUnwrap(page.header("Content-Security-Policy"))
        XCTAssertTrue(policy.contains("script-src 'self'") && !policy.contains("script-src 'self' 'unsafe-inline'"), policy)
        XCTAssertTrue(policy.contains("frame-ancestors 'none'"), policy)
        XCTAssertEqual(page.header("X-Content-Type-Options"), "nosniff")
        XCTAssertEqual(page.header("Referrer-Policy"), "no-referrer")
        XCTAssertEqual(page.header("Server"), "nginx", "no version in the Server header")
    }
}

private final class Statuses: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [(Int, String?)] = []
    func add(_ value: (Int, String?)) { lock.withLock { values.append(value) } }
    var all: [(Int, String?)] { lock.withLock { values } }
}
