import Foundation
import XCTest

/// Through nginx → FastCGI → host → PostgreSQL, as a client sees it.
final class FoundationTests: XCTestCase {
    func testReadyReportsTheDatabase() throws {
        let reply = try HTTP.get("/api/ready")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.json["status"] as? String, "ready")
        XCTAssertTrue((reply.json["serverVersion"] as? String ?? "").hasPrefix("15."), "\(reply.json)")
        XCTAssertGreaterThanOrEqual(reply.json["migrationsApplied"] as? Int ?? 0, 1)
        XCTAssertNotNil(reply.header("X-Trace-Id"))
    }

    func testHealthNeedsNoDatabase() throws {
        let reply = try HTTP.get("/api/health")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.json["status"] as? String, "ok")
        XCTAssertNotNil(reply.json["version"] as? String)
        XCTAssertGreaterThanOrEqual(reply.json["uptimeSeconds"] as? Double ?? -1, 0)
    }

    func assertEnvelope(_ reply: HTTP.Reply, status: Int, code: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(reply.status, status, file: file, line: line)
        XCTAssertTrue(reply.header("Content-Type")?.hasPrefix("application/json") ?? false, file: file, line: line)
        XCTAssertEqual(reply.error["code"] as? String, code, file: file, line: line)
        XCTAssertFalse((reply.error["message"] as? String ?? "").isEmpty, file: file, line: line)
        XCTAssertNotNil(reply.error["details"], file: file, line: line)
        XCTAssertEqual(reply.error["trace_id"] as? String, reply.header("X-Trace-Id"), file: file, line: line)
    }

    func testUnknownRouteIs404() throws {
        assertEnvelope(try HTTP.get("/api/no/such/thing"), status: 404, code: "ROUTE_NOT_FOUND")
    }

    func testWrongMethodIs405WithAllow() throws {
        let reply = try HTTP.request("DELETE", "/api/ready")
        assertEnvelope(reply, status: 405, code: "METHOD_NOT_ALLOWED")
        XCTAssertEqual(reply.header("Allow"), "GET")
    }

    func testOversizedBodyIs413() throws {
        let body = Data(repeating: 0x41, count: 2 << 20)
        let reply = try HTTP.request("POST", "/api/ready", body: body, headers: ["Content-Type": "application/octet-stream"])
        assertEnvelope(reply, status: 413, code: "BODY_TOO_LARGE")
    }

    func testClientTraceIdIsEchoed() throws {
        let trace = "3d0c8f5e-8a1b-4b7e-9a51-0d6c2f1e4b7a"
        let reply = try HTTP.request("GET", "/api/nope", headers: ["X-Request-Id": trace])
        XCTAssertEqual(reply.error["trace_id"] as? String, trace)
    }
}
