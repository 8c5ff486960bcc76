import FCGIHost
@testable import Handlers
import XCTest

/// The admin token is compared byte for byte: on the raw FastCGI socket a token padded
/// with 256 NULs was accepted (the length difference truncated to a zero byte).
final class AdminAuthTests: XCTestCase {
    private let auth = AdminAuth(environment: ["GAUNTLET_ADMIN_TOKEN": "s3cret-token"])

    private func code(_ presented: String?) -> String? {
        let request = Request(method: "POST", path: "/api/admin/loop",
                              headers: presented.map { ["x-admin-token": $0] } ?? [:])
        do {
            try auth.check(request)
            return nil
        } catch let error as APIError {
            return "\(error.status) \(error.code)"
        } catch {
            return "\(error)"
        }
    }

    func testOnlyTheExactBytesPass() {
        XCTAssertNil(code("s3cret-token"))
        XCTAssertEqual(code(nil), "401 ADMIN_TOKEN_REQUIRED")
        XCTAssertEqual(code("s3cret-tokex"), "403 ADMIN_TOKEN_INVALID")
        XCTAssertEqual(code("s3cret-token "), "403 ADMIN_TOKEN_INVALID", "a trailing space is another token")
        XCTAssertEqual(code(" s3cret-token"), "403 ADMIN_TOKEN_INVALID")
        XCTAssertEqual(code("s3cret-token" + String(repeating: "\u{0}", count: 256)), "400 ADMIN_TOKEN_MALFORMED")
        XCTAssertEqual(code("s3cret-token\n"), "400 ADMIN_TOKEN_MALFORMED")
    }

    func testLengthsDifferingByAMultipleOf256AreNotEqual() {
        let token = Array("s3cret-token".utf8)
        XCTAssertFalse(AdminAuth.constantTimeEquals(token + [UInt8](repeating: 0, count: 256), token))
        XCTAssertFalse(AdminAuth.constantTimeEquals(token, token + [UInt8](repeating: 0, count: 512)))
        XCTAssertTrue(AdminAuth.constantTimeEquals(token, token))
    }
}
