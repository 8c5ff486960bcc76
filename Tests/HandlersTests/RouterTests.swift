import FCGIHost
@testable import Handlers
import Postgres
import Logging
import XCTest

final class RouterTests: XCTestCase {
    /// A handler whose routes need no database: routing and error rendering
    /// are what is under test.
    func handler() -> APIHandler {
        var router = Router()
        router.get("/api/bots/:id") { context in
            let id = try context.uuidParameter("id")
            return .json("{\"id\":\"\(id.uuidString.lowercased())\"}")
        }
        router.post("/api/bots/:id/evolve") { context in
            let body = try context.jsonObject()
            return .json("{\"keys\":\(body.count)}", status: 202)
        }
        return APIHandler(router: router, database: .init(conninfo: "host=/nonexistent"), logger: Logger(label: "test"))
    }

    func envelope(_ response: Response) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return try XCTUnwrap(object?["error"] as? [String: Any])
    }

    func testCapturesAndMethods() throws {
        let id = "0b7f3a52-6a43-4d16-9b5f-4a0c2f5b9e11"
        let ok = handler().respond(to: Request(method: "GET", path: "/api/bots/\(id)"))
        XCTAssertEqual(ok.status, 200)
        XCTAssertEqual(String(decoding: ok.body, as: UTF8.self), "{\"id\":\"\(id)\"}")

        let head = handler().respond(to: Request(method: "HEAD", path: "/api/bots/\(id)"))
        XCTAssertEqual(head.status, 200)

        let wrong = handler().respond(to: Request(method: "DELETE", path: "/api/bots/\(id)"))
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.header("Allow"), "GET")
        XCTAssertEqual(try envelope(wrong)["code"] as? String, "METHOD_NOT_ALLOWED")
    }

    /// Found by schemathesis: GET /api/bots/starter-pack was routed to /api/bots/:id (400,
    /// not a UUID) and the 405 for OPTIONS advertised `Allow: GET, POST`. A literal
    /// segment beats a capture, whatever the registration order.
    func testLiteralSegmentsWinOverCaptures() throws {
        var router = Router()
        router.get("/api/bots/:id") { _ in .json("{\"route\":\"show\"}") }
        router.post("/api/bots/starter-pack") { _ in .json("{\"route\":\"seed\"}") }
        router.get("/api/bots/:id/evolve") { _ in .json("{}") }
        let handler = APIHandler(router: router, database: .init(conninfo: "host=/nonexistent"), logger: Logger(label: "test"))
        let seed = handler.respond(to: Request(method: "POST", path: "/api/bots/starter-pack"))
        XCTAssertEqual(String(decoding: seed.body, as: UTF8.self), "{\"route\":\"seed\"}")
        let get = handler.respond(to: Request(method: "GET", path: "/api/bots/starter-pack"))
        XCTAssertEqual(get.status, 405)
        XCTAssertEqual(get.header("Allow"), "POST")
        let show = handler.respond(to: Request(method: "GET", path: "/api/bots/0b7f3a52-6a43-4d16-9b5f-4a0c2f5b9e11"))
        XCTAssertEqual(String(decoding: show.body, as: UTF8.self), "{\"route\":\"show\"}")
    }

    func testErrorsUseTheEnvelope() throws {
        let trace = UUID()
        let missing = handler().respond(to: Request(method: "GET", path: "/api/nothing", traceId: trace))
        XCTAssertEqual(missing.status, 404)
        let error = try envelope(missing)
        XCTAssertEqual(error["code"] as? String, "ROUTE_NOT_FOUND")
        XCTAssertEqual(error["trace_id"] as? String, trace.uuidString.lowercased())
        XCTAssertNotNil(error["message"] as? String)
        XCTAssertNotNil(error["details"] as? [String: Any])

        let badId = handler().respond(to: Request(method: "GET", path: "/api/bots/not-a-uuid"))
        XCTAssertEqual(badId.status, 400)
        XCTAssertEqual(try envelope(badId)["code"] as? String, "INVALID_PARAMETER")
    }

    func testMalformedJSONIs400BeforeTheActionRuns() throws {
        let id = "0b7f3a52-6a43-4d16-9b5f-4a0c2f5b9e11"
        let bad = handler().respond(to: Request(method: "POST", path: "/api/bots/\(id)/evolve",
                                                headers: ["content-type": "application/json"], body: Array("{\"a\":".utf8)))
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(try envelope(bad)["code"] as? String, "INVALID_JSON")

        let notObject = handler().respond(to: Request(method: "POST", path: "/api/bots/\(id)/evolve", body: Array("[1]".utf8)))
        XCTAssertEqual(notObject.status, 400)

        let good = handler().respond(to: Request(method: "POST", path: "/api/bots/\(id)/evolve",
                                                 headers: ["content-type": "application/json"], body: Array("{\"a\":1}".utf8)))
        XCTAssertEqual(good.status, 202)
    }

    func testUnreachableDatabaseIs503NotACrash() throws {
        var router = Router()
        router.get("/api/needs-db") { context in
            _ = try context.db()
            return .json("{}")
        }
        let handler = APIHandler(router: router, database: .init(conninfo: "host=/nonexistent port=1"), logger: Logger(label: "t"))
        let response = handler.respond(to: Request(method: "GET", path: "/api/needs-db"))
        XCTAssertEqual(response.status, 503)
        XCTAssertEqual(try envelope(response)["code"] as? String, "DATABASE_UNAVAILABLE")
    }
}
