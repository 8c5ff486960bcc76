@testable import FCGIHost
import XCTest

final class RequestTests: XCTestCase {
    func testQueryDecoding() {
        let request = Request(method: "GET", path: "/api/feed", queryString: "bot=a%2Fb&type=X+Y&empty=&flag&type=Z")
        XCTAssertEqual(request.query, ["bot": "a/b", "type": "Z", "empty": "", "flag": ""])
    }

    func testHeadersFromParams() {
        let params = FastCGIParams(["HTTP_X_ADMIN_TOKEN": "s", "CONTENT_TYPE": "application/json",
                                    "REQUEST_METHOD": "PUT", "DOCUMENT_URI": "/api/x",
                                    "HTTP_X_REQUEST_ID": "6f1e8a9c-2a0b-4c2e-9d7e-1f2a3b4c5d6e"])
        let request = params.request(body: [])
        XCTAssertEqual(request.header("X-Admin-Token"), "s")
        XCTAssertEqual(request.header("content-type"), "application/json")
        XCTAssertEqual(request.method, "PUT")
        XCTAssertEqual(request.traceId.uuidString.lowercased(), "6f1e8a9c-2a0b-4c2e-9d7e-1f2a3b4c5d6e")
    }

    func testResponseHead() {
        let response = Response(status: 405, headers: [("Allow", "GET")], body: Array("{}".utf8))
        XCTAssertEqual(response.head(), "Status: 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 2\r\n\r\n")
    }

    func testTraceIdsAreRandomVersion4UUIDs() {
        let ids = (0..<2000).map { _ in TraceID.random() }
        XCTAssertEqual(Set(ids).count, ids.count, "no repeats")
        for id in ids {
            let text = id.uuidString
            XCTAssertEqual(Array(text)[14], "4", "version 4: \(text)")
            XCTAssertTrue("89AB".contains(Array(text)[19]), "RFC 4122 variant: \(text)")
        }
    }
}
