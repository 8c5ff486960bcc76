import Foundation

/// One HTTP request as nginx handed it over FastCGI.
public struct Request: Sendable {
    public let method: String
    /// The decoded, normalised path (`$document_uri`), without the query string.
    public let path: String
    /// The raw query string, percent-encoded.
    public let queryString: String
    /// Header names in lower case (`x-admin-token`).
    public let headers: [String: String]
    public let body: [UInt8]
    /// From `X-Request-Id` when the client sent a valid UUID, otherwise new.
    public let traceId: UUID

    public init(method: String, path: String, queryString: String = "", headers: [String: String] = [:],
                body: [UInt8] = [], traceId: UUID = UUID()) {
        self.method = method
        self.path = path
        self.queryString = queryString
        self.headers = headers
        self.body = body
        self.traceId = traceId
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Query parameters, percent-decoded (`+` is a space); the last value of a
    /// repeated name wins.
    public var query: [String: String] {
        var items: [String: String] = [:]
        for pair in queryString.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Request.decodeComponent(parts[0])
            let value = parts.count > 1 ? Request.decodeComponent(parts[1]) : ""
            items[name] = value
        }
        return items
    }

    static func decodeComponent(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
