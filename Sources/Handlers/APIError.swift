import FCGIHost
import Foundation

/// An error the API reports to its client: a stable `code`, a message for a
/// person, and where one exists a `suggestedFix`. Rendered as the envelope
/// `{"error":{"code","message","details","trace_id"}}` (DESIGN.md §4).
public struct APIError: Error, Sendable {
    public let status: Int
    public let code: String
    public let message: String
    public let suggestedFix: String?
    public let details: [String: String]
    /// Extra response headers (405's `Allow`).
    public let headers: [(String, String)]

    public init(status: Int, code: String, message: String, suggestedFix: String? = nil,
                details: [String: String] = [:], headers: [(String, String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.suggestedFix = suggestedFix
        self.details = details
        self.headers = headers
    }

    func response(traceId: UUID) -> Response {
        var details = self.details
        if let suggestedFix { details["suggested_fix"] = suggestedFix }
        let envelope = Envelope(error: .init(code: code, message: message, details: details,
                                             trace_id: traceId.uuidString.lowercased()))
        var response = Response.json(JSON.encode(envelope), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    private struct Envelope: Encodable {
        struct Body: Encodable {
            let code: String
            let message: String
            let details: [String: String]
            let trace_id: String
        }
        let error: Body
    }
}

extension APIError {
    static func notFound(_ path: String) -> APIError {
        APIError(status: 404, code: "ROUTE_NOT_FOUND", message: "no API route matches \(path)",
                 suggestedFix: "check the path; GET /api/health lists the service version")
    }

    static func methodNotAllowed(_ method: String, path: String, allowed: [String]) -> APIError {
        APIError(status: 405, code: "METHOD_NOT_ALLOWED", message: "\(method) is not allowed on \(path)",
                 suggestedFix: "use one of: \(allowed.joined(separator: ", "))",
                 details: ["allowed": allowed.joined(separator: ", ")],
                 headers: [("Allow", allowed.joined(separator: ", "))])
    }

    static func invalidJSON(_ reason: String) -> APIError {
        APIError(status: 400, code: "INVALID_JSON", message: "the request body is not valid JSON: \(reason)",
                 suggestedFix: "send a JSON object with Content-Type: application/json")
    }

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: 413, code: "BODY_TOO_LARGE", message: "the request body is larger than \(limit) bytes",
                 suggestedFix: "send a smaller body; the limit is GAUNTLET_MAX_BODY_BYTES")
    }

    public static func invalidParameter(_ name: String, _ message: String, fix: String? = nil) -> APIError {
        APIError(status: 400, code: "INVALID_PARAMETER", message: "\(name): \(message)", suggestedFix: fix,
                 details: ["parameter": name])
    }
}

/// Deterministic JSON for responses: sorted keys, `/` unescaped.
enum JSON {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Encoding our own response types cannot fail; an empty object beats a trap.
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
