import Foundation
import XCTest

/// Admin actions need the token; without it nothing changes.
final class AdminTests: XCTestCase {
    var token: String {
        get throws {
            try XCTUnwrap(ProcessInfo.processInfo.environment["GAUNTLET_ADMIN_TOKEN"],
                          "GAUNTLET_ADMIN_TOKEN is not set; run through scripts/test")
        }
    }

    func post(_ path: String, _ json: String, token: String?) throws -> HTTP.Reply {
        var headers = ["Content-Type": "application/json"]
        if let token { headers["X-Admin-Token"] = token }
        return try HTTP.request("POST", path, body: Data(json.utf8), headers: headers)
    }

    func testAdminEndpointsRejectMissingAndWrongTokens() throws {
        let body = #"{"dryRun": false, "scope": "ALL", "reasonCode": "INSTITUTIONAL_RESET_REQUIRED"}"#
        for path in ["/api/admin/reset-metrics", "/api/admin/revert-stages", "/api/admin/loop"] {
            let missing = try post(path, body, token: nil)
            XCTAssertEqual(missing.status, 401, path)
            XCTAssertEqual(missing.error["code"] as? String, "ADMIN_TOKEN_REQUIRED")
            let wrong = try post(path, body, token: try token + "x")
            XCTAssertEqual(wrong.status, 403, path)
            XCTAssertEqual(wrong.error["code"] as? String, "ADMIN_TOKEN_INVALID")
            XCTAssertFalse(String(decoding: wrong.body, as: UTF8.self).contains(try token), "the token is never echoed")
        }
    }

    func testDryRunResetChangesNothingAndReportsScope() throws {
        let reply = try post("/api/admin/reset-metrics", #"{"dryRun": true, "scope": "ALL", "reasonCode": "INSTITUTIONAL_RESET_REQUIRED"}"#,
                             token: try token)
        XCTAssertEqual(reply.status, 200, String(decoding: reply.body, as: UTF8.self))
        let bad = try post("/api/admin/reset-metrics", #"{"dryRun": true, "scope": "SOME", "reasonCode": "X"}"#, token: try token)
        XCTAssertEqual(bad.status, 400)
        let badReason = try post("/api/admin/reset-metrics", #"{"dryRun": true, "scope": "ALL", "reasonCode": "because I said so"}"#,
                                 token: try token)
        XCTAssertEqual(badReason.status, 400)
    }
}
