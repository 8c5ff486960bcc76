import Foundation

/// An API key that cannot leak by accident: printing, interpolating, dumping or
/// reflecting it shows only a mask. The raw value is read in exactly one place each,
/// where the Authorization header is built.
struct APIKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let rawValue: String

    init?(_ value: String?) {
        guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        rawValue = value
    }

    var description: String { "•••" }
    var debugDescription: String { "APIKey(•••)" }
    var customMirror: Mirror { Mirror(self, children: []) }

    /// Text with every occurrence of the key masked: a last guard for messages that
    /// quote a server's answer or a URL.
    func redacting(_ text: String) -> String {
        text.replacingOccurrences(of: rawValue, with: "•••")
    }
}
