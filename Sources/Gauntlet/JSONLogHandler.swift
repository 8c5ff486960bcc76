import Foundation
import Logging

/// Logs as JSON lines on stderr: `ts`, `level`, `component`, `message`, then
/// metadata (`trace_id` among it), keys sorted. One `write` per line, so lines
/// from many threads never interleave. Written by hand rather than with
/// `JSONEncoder`, which cost more than the rest of a request (the host logs one
/// line per request).
struct JSONLogHandler: LogHandler {
    let component: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("ts", Self.timestamp()), ("level", event.level.rawValue), ("component", component),
            ("message", event.message.description),
        ]
        var extra = metadata
        for (key, value) in event.metadata ?? [:] { extra[key] = value }
        for (key, value) in extra { fields.append((key, value.description)) }
        fields.sort { $0.0 < $1.0 }

        var line = "{"
        for (i, (key, value)) in fields.enumerated() {
            if i > 0 { line += "," }
            Self.appendQuoted(key, to: &line)
            line += ":"
            Self.appendQuoted(value, to: &line)
        }
        line += "}\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { _ = Foundation.write(2, $0.baseAddress, $0.count) }
    }

    /// JSON string escaping (RFC 8259): quotes, backslashes, control characters.
    static func appendQuoted(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                line += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }

    static func bootstrap() {
        LoggingSystem.bootstrap { label in JSONLogHandler(component: label) }
    }
}
