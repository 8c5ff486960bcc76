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

        // Built as bytes: String appends per scalar were a tenth of a /api/health request.
        var line: [UInt8] = [UInt8(ascii: "{")]
        line.reserveCapacity(320)
        for (i, (key, value)) in fields.enumerated() {
            if i > 0 { line.append(UInt8(ascii: ",")) }
            Self.appendQuoted(key, to: &line)
            line.append(UInt8(ascii: ":"))
            Self.appendQuoted(value, to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        line.withUnsafeBytes { _ = Foundation.write(2, $0.baseAddress, $0.count) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// JSON string escaping (RFC 8259): quotes, backslashes, control characters;
    /// every other byte of the UTF-8 goes through as it is.
    static func appendQuoted(_ text: String, to line: inout [UInt8]) {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        line.append(quote)
        var text = text
        text.withUTF8 { bytes in
            for byte in bytes {
                switch byte {
                case quote, backslash: line.append(backslash); line.append(byte)
                case UInt8(ascii: "\n"): line.append(backslash); line.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): line.append(backslash); line.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): line.append(backslash); line.append(UInt8(ascii: "t"))
                case 0..<0x20:
                    line.append(contentsOf: [backslash, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                             hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
                default: line.append(byte)
                }
            }
        }
        line.append(quote)
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
