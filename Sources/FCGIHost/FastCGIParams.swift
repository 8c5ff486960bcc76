import CFastCGI
import Foundation

/// The CGI-style variables nginx sends with each request (`fastcgi_params`).
struct FastCGIParams {
    private var values: [String: String] = [:]

    init(_ envp: FCGX_ParamArray?) {
        guard var cursor = envp else { return }
        values.reserveCapacity(24)
        while let entry = cursor.pointee {
            // Split at the first "=" on the C string's bytes: no String per line to search.
            let length = strlen(entry)
            entry.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                let all = UnsafeBufferPointer(start: bytes, count: length)
                if let eq = all.firstIndex(of: UInt8(ascii: "=")) {
                    values[String(decoding: all[..<eq], as: UTF8.self)] = String(decoding: all[(eq + 1)...], as: UTF8.self)
                }
            }
            cursor += 1
        }
    }

    init(_ values: [String: String]) { self.values = values }

    subscript(name: String) -> String? { values[name] }

    /// `HTTP_X_ADMIN_TOKEN` → `x-admin-token`; CONTENT_TYPE and
    /// CONTENT_LENGTH arrive without the prefix.
    var headers: [String: String] {
        var headers: [String: String] = [:]
        for (name, value) in values where name.hasPrefix("HTTP_") {
            headers[Self.headerName(name.utf8.dropFirst(5))] = value
        }
        if let type = values["CONTENT_TYPE"], !type.isEmpty { headers["content-type"] = type }
        if let length = values["CONTENT_LENGTH"], !length.isEmpty { headers["content-length"] = length }
        return headers
    }

    /// `X_ADMIN_TOKEN` → `x-admin-token`, byte by byte (Foundation's
    /// replacingOccurrences was a twentieth of a request).
    private static func headerName(_ name: Substring.UTF8View) -> String {
        String(decoding: name.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "_"): UInt8(ascii: "-")
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
            default: byte
            }
        }, as: UTF8.self)
    }

    func request(body: [UInt8]) -> Request {
        let headers = headers
        let traceId = headers["x-request-id"].flatMap(UUID.init(uuidString:)) ?? TraceID.random()
        // DOCUMENT_URI is nginx's decoded and normalised path; REQUEST_URI is
        // the fallback for servers that do not send it.
        let path = values["DOCUMENT_URI"]
            ?? values["REQUEST_URI"].map { String($0.split(separator: "?", maxSplits: 1).first ?? "") }
            ?? "/"
        return Request(method: values["REQUEST_METHOD"] ?? "GET", path: path,
                       queryString: values["QUERY_STRING"] ?? "", headers: headers, body: body, traceId: traceId)
    }
}
