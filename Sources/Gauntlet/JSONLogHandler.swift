import Foundation
import Logging
import Market

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
        return isoUTC(Int64(now.tv_sec), milliseconds: Int(now.tv_nsec / 1_000_000))
    }

    static func bootstrap() {
        LoggingSystem.bootstrap { label in JSONLogHandler(component: label) }
    }
}
