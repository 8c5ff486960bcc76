import Foundation
import Handlers
import XCTest

/// The contract and the router agree: every route the host registers has an operation
/// in GET /api/openapi.json (served through nginx from openapi/gauntlet.yaml) and every
/// operation there is a registered route — `:id` in the router is `{id}` in the spec.
final class OpenAPITests: XCTestCase {
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    func testEveryRouteIsInTheContractAndEveryOperationIsARoute() throws {
        let reply = try HTTP.get("/api/openapi.json")
        XCTAssertEqual(reply.status, 200, String(decoding: reply.body, as: UTF8.self))
        XCTAssertEqual(reply.header("Content-Type"), "application/json")
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: reply.body) as? [String: Any])
        XCTAssertTrue((document["openapi"] as? String)?.hasPrefix("3.1.") ?? false)
        let paths = try XCTUnwrap(document["paths"] as? [String: Any])

        var documented: Set<String> = []
        for (path, item) in paths {
            for method in ((item as? [String: Any]) ?? [:]).keys where Self.methods.contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        let routed = Set(Routes.all(environment: [:], openAPI: .unavailable(path: "", reason: "")).table.map { route in
            "\(route.method) " + route.pattern.split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
        })
        let undocumented = routed.subtracting(documented).sorted()
        let unrouted = documented.subtracting(routed).sorted()
        XCTAssertEqual(undocumented, [], "routes without an operation in openapi/gauntlet.yaml: \(undocumented)")
        XCTAssertEqual(unrouted, [], "operations in openapi/gauntlet.yaml that no route answers: \(unrouted)")
        XCTAssertGreaterThan(routed.count, 30)
    }

    /// The route is a real route: it shows in the host's HTTP figures by its pattern.
    func testTheContractRouteIsCountedInTheMetrics() throws {
        _ = try HTTP.get("/api/openapi.json")
        let metrics = String(decoding: try HTTP.get("/metrics").body, as: UTF8.self)
        XCTAssertTrue(metrics.contains(#"route="/api/openapi.json""#), "no /api/openapi.json series in /metrics")
    }
}
