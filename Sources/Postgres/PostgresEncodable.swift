import Foundation

/// A Swift value that can be sent as a statement parameter.
///
/// Parameters travel in PostgreSQL's text format with an unspecified type
/// (OID 0), so the server infers the type from the statement — the same
/// thing `psql` does with a literal — and never from string-built SQL.
public protocol PostgresEncodable: Sendable {
    /// The value in PostgreSQL's text input format.
    var postgresText: String { get }
}

extension String: PostgresEncodable {
    public var postgresText: String { self }
}

extension Substring: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String { self ? "true" : "false" }
}

extension Double: PostgresEncodable {
    /// Swift prints the shortest text that round-trips; PostgreSQL spells the
    /// non-finite values its own way.
    public var postgresText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return "\(self)"
    }
}

extension Decimal: PostgresEncodable {
    public var postgresText: String { "\(self)" }
}

extension UUID: PostgresEncodable {
    public var postgresText: String { uuidString.lowercased() }
}

extension Date: PostgresEncodable {
    /// ISO 8601 in UTC with microseconds, PostgreSQL's own precision.
    public var postgresText: String { PostgresTimestamp.format(self) }
}

extension Array: PostgresEncodable where Element: PostgresEncodable {
    /// Array literal: every element quoted and escaped, so commas, braces and
    /// quotes inside elements survive.
    public var postgresText: String {
        var text = "{"
        for (i, element) in enumerated() {
            if i > 0 { text += "," }
            text += "\""
            for ch in element.postgresText {
                if ch == "\"" || ch == "\\" { text += "\\" }
                text.append(ch)
            }
            text += "\""
        }
        return text + "}"
    }
}

/// JSON sent to a `json`/`jsonb` parameter, already serialised.
public struct JSONText: PostgresEncodable, Hashable {
    public let text: String
    public init(_ text: String) { self.text = text }

    /// Serialises an `Encodable` value with sorted keys, so equal values give equal text.
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public var postgresText: String { text }
}
