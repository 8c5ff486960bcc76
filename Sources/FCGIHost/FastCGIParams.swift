import CFastCGI
import Foundation

/// The CGI-style variables nginx sends with each request (`fastcgi_params`).
struct FastCGIParams {
    private var values: [String: String] = [:]

    init(_ envp: FCGX_ParamArray?) {
        guard var cursor = envp else { return }
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                values[String(text[..<eq])] = String(text[text.index(after: eq)...])
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
        for (name, value) in values {
            if name.hasPrefix("HTTP_") {
                headers[name.dropFirst(5).lowercased().replacingOccurrences(of: "_", with: "-")] = value
            }
        }
        if let type = values["CONTENT_TYPE"], !type.isEmpty { headers["content-type"] = type }
        if let length = values["CONTENT_LENGTH"], !length.isEmpty { headers["content-length"] = length }
        return headers
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
