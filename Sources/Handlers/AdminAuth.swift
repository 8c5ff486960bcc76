import FCGIHost
import Foundation

/// The admin token gate: `X-Admin-Token` must equal `GAUNTLET_ADMIN_TOKEN`.
/// With no token configured every admin route refuses (fail closed). The
/// comparison takes the same time whatever the input, and the token is never
/// logged or echoed.
struct AdminAuth: Sendable {
    let token: [UInt8]?

    init(environment: [String: String]) {
        let configured = environment["GAUNTLET_ADMIN_TOKEN"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        token = (configured?.isEmpty ?? true) ? nil : Array(configured!.utf8)
    }

    func check(_ request: Request) throws {
        guard let token else {
            throw APIError(status: 403, code: "ADMIN_DISABLED", message: "admin actions are disabled: no admin token is configured",
                           suggestedFix: "set GAUNTLET_ADMIN_TOKEN for the host and send it as X-Admin-Token")
        }
        guard let presented = request.header("x-admin-token"), !presented.isEmpty else {
            throw APIError(status: 401, code: "ADMIN_TOKEN_REQUIRED", message: "this action needs the admin token",
                           suggestedFix: "send the token in the X-Admin-Token header")
        }
        // The exact bytes: a control character (NUL padding, a stray newline) is a
        // malformed header, not a near miss.
        let bytes = Array(presented.utf8)
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw APIError(status: 400, code: "ADMIN_TOKEN_MALFORMED", message: "the X-Admin-Token header holds control characters",
                           suggestedFix: "send the token exactly, with no NUL, tab or line break")
        }
        guard AdminAuth.constantTimeEquals(bytes, token) else {
            throw APIError(status: 403, code: "ADMIN_TOKEN_INVALID", message: "the admin token is wrong",
                           suggestedFix: "send the value of GAUNTLET_ADMIN_TOKEN in X-Admin-Token")
        }
    }

    /// Compares every byte of the longer input, so the time does not reveal
    /// how long a matching prefix was. The lengths are compared whole: a length
    /// difference of 256 must not truncate to 0 (then NUL padding compared equal).
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = a.count ^ b.count
        for i in 0..<max(a.count, b.count) {
            difference |= Int((i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0))
        }
        return difference == 0
    }
}
