import FCGIHost
import Foundation

/// Query-string and body values, checked with the error a client can act on.
extension RequestContext {
    /// `?limit=` within 1…max (default when absent).
    func limit(default fallback: Int, max: Int) throws -> Int {
        guard let text = request.query["limit"] else { return fallback }
        guard let value = Int(text), (1...max).contains(value) else {
            throw APIError.invalidParameter("limit", "'\(text)' is not a whole number from 1 to \(max)")
        }
        return value
    }

    /// An optional UUID query parameter.
    func uuidQuery(_ name: String) throws -> UUID? {
        guard let text = request.query[name], !text.isEmpty else { return nil }
        guard let id = UUID(uuidString: text) else {
            throw APIError.invalidParameter(name, "'\(text)' is not a UUID", fix: "use the id exactly as the API returned it")
        }
        return id
    }

    /// An optional time query parameter (ISO 8601, as the API writes times). PostgreSQL's
    /// `infinity` spellings and times outside years 1…9999 are refused: they are no
    /// page boundary a client was given, and the database would fail on them.
    func timeQuery(_ name: String, fix: String) throws -> Date? {
        guard let text = request.query[name], !text.isEmpty else { return nil }
        // The parser reads PostgreSQL's output, so it maps `infinity` to distantFuture/Past.
        guard let date = Date.decode(postgresText: text), date != .distantPast, date != .distantFuture,
              date > Self.earliest, date < Self.latest else {
            throw APIError.invalidParameter(name, "'\(text)' is not an ISO-8601 time", fix: fix)
        }
        return date
    }

    private static let earliest = Date(timeIntervalSince1970: -62_135_596_800)  // 0001-01-01
    private static let latest = Date(timeIntervalSince1970: 253_402_300_800)    // 10000-01-01

    /// An optional query parameter that must be one of `allowed`.
    func choiceQuery(_ name: String, _ allowed: [String]) throws -> String? {
        guard let text = request.query[name], !text.isEmpty else { return nil }
        guard allowed.contains(text) else {
            throw APIError.invalidParameter(name, "'\(text)' is not one of \(allowed.joined(separator: ", "))")
        }
        return text
    }
}

extension RequestContext {
    /// The JSON body decoded into `T`. Unknown keys are refused (a typo must
    /// not become a silent default) and a wrong type names its field.
    func body<T: Decodable>(_ type: T.Type, allowedKeys: Set<String>) throws -> T {
        let object = try jsonObject()
        if let unknown = object.keys.sorted().first(where: { !allowedKeys.contains($0) }) {
            throw APIError.invalidParameter(unknown, "is not a field of this request",
                                            fix: "known fields: \(allowedKeys.sorted().joined(separator: ", "))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(request.body.isEmpty ? Array("{}".utf8) : request.body))
        } catch let DecodingError.typeMismatch(expected, context) {
            throw APIError.invalidParameter(context.codingPath.map(\.stringValue).joined(separator: "."),
                                            "must be \(Self.describe(expected))")
        } catch let DecodingError.valueNotFound(expected, context) {
            throw APIError.invalidParameter(context.codingPath.map(\.stringValue).joined(separator: "."),
                                            "must be \(Self.describe(expected)), not null")
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.invalidParameter(key.stringValue, "is required")
        } catch let DecodingError.dataCorrupted(context) {
            throw APIError.invalidParameter(context.codingPath.map(\.stringValue).joined(separator: "."),
                                            context.debugDescription)
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        default: "\(type)"
        }
    }
}
