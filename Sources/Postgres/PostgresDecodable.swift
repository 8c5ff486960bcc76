import Foundation

/// A Swift type that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable {
    /// Returns nil when the text is not a valid value of this type.
    static func decode(postgresText text: String) -> Self?
}

extension String: PostgresDecodable {
    public static func decode(postgresText text: String) -> String? { text }
}

extension Int: PostgresDecodable {
    public static func decode(postgresText text: String) -> Int? { Int(text) }
}

extension Int64: PostgresDecodable {
    public static func decode(postgresText text: String) -> Int64? { Int64(text) }
}

extension Int32: PostgresDecodable {
    public static func decode(postgresText text: String) -> Int32? { Int32(text) }
}

extension Double: PostgresDecodable {
    /// Reads float4/float8 and numeric; PostgreSQL spells infinity in full.
    public static func decode(postgresText text: String) -> Double? {
        switch text {
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }
}

extension Decimal: PostgresDecodable {
    /// Exact numeric values (money, prices) without binary rounding.
    public static func decode(postgresText text: String) -> Decimal? {
        Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }
}

extension Bool: PostgresDecodable {
    public static func decode(postgresText text: String) -> Bool? {
        switch text {
        case "t", "true": return true
        case "f", "false": return false
        default: return nil
        }
    }
}

extension UUID: PostgresDecodable {
    public static func decode(postgresText text: String) -> UUID? { UUID(uuidString: text) }
}

extension Date: PostgresDecodable {
    public static func decode(postgresText text: String) -> Date? { PostgresTimestamp.parse(text) }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// One-dimensional arrays in text form: `{1,2}`, `{"a b",NULL}`.
    /// NULL elements are not representable in `[Element]` and fail the decode;
    /// use a query that filters them or `array_remove(…, NULL)`.
    public static func decode(postgresText text: String) -> [Element]? {
        guard let items = PostgresArrayText.split(text) else { return nil }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let item, let value = Element.decode(postgresText: item) else { return nil }
            result.append(value)
        }
        return result
    }
}

enum PostgresArrayText {
    /// Splits a one-dimensional array literal into its elements (nil = NULL).
    static func split(_ text: String) -> [String?]? {
        let chars = Array(text)
        guard chars.first == "{", chars.last == "}" else { return nil }
        var items: [String?] = []
        var i = 1
        let end = chars.count - 1
        if end == 1 { return [] }
        while i <= end {
            var item = ""
            var quoted = false
            if i < end, chars[i] == "\"" {
                quoted = true
                i += 1
                while i < end, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < end { i += 1 }
                    item.append(chars[i])
                    i += 1
                }
                i += 1 // closing quote
            } else {
                while i < end, chars[i] != "," {
                    item.append(chars[i])
                    i += 1
                }
            }
            if !quoted && item == "NULL" { items.append(nil) } else { items.append(item) }
            guard i == end || chars[i] == "," else { return nil }
            i += 1
        }
        return items
    }
}
