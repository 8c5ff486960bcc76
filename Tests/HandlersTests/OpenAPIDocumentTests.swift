import FCGIHost
@testable import Handlers
import XCTest

/// `openapi/gauntlet.yaml` as the host reads it: YAML 1.2 core types, an OpenAPI 3.1
/// document, and a clear refusal (not a crash) for a missing or broken file.
final class OpenAPIDocumentTests: XCTestCase {
    /// The repository's own contract (Tests/HandlersTests → the package root).
    static let specPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("openapi/gauntlet.yaml").path

    func testTheContractParsesAsOpenAPI31() throws {
        guard case .loaded(let bytes) = OpenAPIDocument.load(path: Self.specPath) else {
            return XCTFail("\(OpenAPIDocument.load(path: Self.specPath))")
        }
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        XCTAssertTrue((document["openapi"] as? String)?.hasPrefix("3.1.") ?? false)
        let paths = try XCTUnwrap(document["paths"] as? [String: Any])
        XCTAssertNotNil(paths["/api/openapi.json"])
        // `required: true` is a boolean, `'200'` a string key: YAML types survive into JSON.
        let parameters = try XCTUnwrap((document["components"] as? [String: Any])?["parameters"] as? [String: Any])
        let botId = try XCTUnwrap(parameters["BotIdPath"] as? [String: Any])
        XCTAssertEqual(botId["required"] as? Bool, true)
        XCTAssertFalse(botId["required"] is String)
    }

    func testYAMLCoreTypes() throws {
        let document = try OpenAPIDocument.contract(yaml: """
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths: {}
            flags: [true, false, yes, off, null, ~]
            numbers: [1, -2, 2.5, '3', 0x10]
            """)
        let flags = try XCTUnwrap(document["flags"] as? [Any])
        XCTAssertEqual(flags[0] as? Bool, true)
        XCTAssertEqual(flags[1] as? Bool, false)
        XCTAssertEqual(flags[2] as? String, "yes", "YAML 1.1's yes/no/on/off stay strings")
        XCTAssertEqual(flags[3] as? String, "off")
        XCTAssertTrue(flags[4] is NSNull)
        XCTAssertTrue(flags[5] is NSNull)
        let numbers = try XCTUnwrap(document["numbers"] as? [Any])
        XCTAssertEqual(numbers[0] as? Int, 1)
        XCTAssertEqual(numbers[1] as? Int, -2)
        XCTAssertEqual(numbers[2] as? Double, 2.5)
        XCTAssertEqual(numbers[3] as? String, "3")
        XCTAssertEqual(numbers[4] as? String, "0x10")
    }

    func testBrokenContractsAreRefusedWithAReason() {
        func reason(_ yaml: String) -> String? {
            do { _ = try OpenAPIDocument.contract(yaml: yaml); return nil } catch let error as OpenAPIError {
                return error.reason
            } catch { return "\(error)" }
        }
        XCTAssertNotNil(reason("openapi: 3.1.0\ninfo: {title: t\n"))  // does not parse
        XCTAssertEqual(reason("- a\n- b\n"), "the document is not a YAML mapping")
        XCTAssertEqual(reason("openapi: 3.0.3\ninfo: {}\npaths: {}\n"), "`openapi` must be a 3.1.x version string")
        XCTAssertEqual(reason("openapi: 3.1.0\ninfo: {}\npaths: []\n"), "`info` and `paths` must be mappings")
        let twice = reason("openapi: 3.1.0\ninfo: {}\npaths: {}\npaths: {}\n")
        XCTAssertTrue(twice?.contains("paths") ?? false, twice ?? "a repeated key was accepted")
    }

    /// The route answers 500 OPENAPI_SPEC_UNAVAILABLE with the reason; the host keeps serving.
    func testAMissingFileAnswersTheErrorEnvelope() throws {
        let missing = OpenAPIDocument.load(path: "/nonexistent/openapi/gauntlet.yaml")
        guard case .unavailable(_, let why) = missing else { return XCTFail("a missing file loaded") }
        XCTAssertTrue(why.contains("does not exist"), why)
        let router = Routes.all(environment: [:], openAPI: missing)
        let handler = APIHandler(router: router, database: .init(conninfo: "host=/nonexistent"), logger: .init(label: "test"))
        let response = handler.respond(to: Request(method: "GET", path: "/api/openapi.json"))
        XCTAssertEqual(response.status, 500)
        let error = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["error"]
            as? [String: Any])
        XCTAssertEqual(error["code"] as? String, "OPENAPI_SPEC_UNAVAILABLE")
        XCTAssertTrue((error["message"] as? String)?.contains("does not exist") ?? false)
    }

    /// The route table lists what was registered, in order, so the contract can be checked against it.
    func testTheRouteTableListsEveryRoute() {
        let table = Routes.all(environment: [:], openAPI: .unavailable(path: "", reason: "")).table
        XCTAssertTrue(table.contains { $0.method == "GET" && $0.pattern == "/api/openapi.json" })
        XCTAssertTrue(table.contains { $0.method == "POST" && $0.pattern == "/api/bots/:id/evolve" })
        XCTAssertEqual(Set(table.map { "\($0.method) \($0.pattern)" }).count, table.count, "a route registered twice")
    }
}
