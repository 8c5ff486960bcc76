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

    /// Text fit to keep: every message built from a provider's answer or a URL passes
    /// here (ProviderHTTPClient, the one place provider errors are made) before it is
    /// logged, stored or returned. The key is masked in every encoding a server may
    /// quote it in — raw, URL-encoded, and base64 of `key:` or `key` (an echoed Basic
    /// `Authorization` header) — and so is any other credential-like run of 24 or more
    /// base64 characters (a UUID's dashes keep it shorter); control characters go and the text stops at 300 characters.
    func redacting(_ text: String) -> String {
        var out = text
        let encodings = [rawValue, rawValue.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? rawValue,
                         Data("\(rawValue):".utf8).base64EncodedString(), Data(rawValue.utf8).base64EncodedString()]
        for form in Set(encodings) where !form.isEmpty {
            out = out.replacingOccurrences(of: form, with: "•••")
        }
        out = out.replacingOccurrences(of: "[A-Za-z0-9+/=]{24,}", with: "•••", options: .regularExpression)
        out = String(String.UnicodeScalarView(out.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        return out.count > 300 ? String(out.prefix(300)) + "…" : out
    }
}
