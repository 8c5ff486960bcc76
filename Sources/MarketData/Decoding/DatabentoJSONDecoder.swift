import Foundation

/// Databento JSON lines: one record per line, `{"hd":{"ts_event":…},"open":…,…}`.
/// Databento writes 64-bit integers as strings; raw files hold fixed-point 1e-9
/// prices and ns stamps, pretty files decimal prices and ISO stamps. Both are read,
/// as strings or numbers.
enum DatabentoJSONDecoder {
    static func decode(_ data: Data, name: String) throws(MarketDataError) -> BarColumns {
        var bars = BarColumns()
        var parser = TimestampParser()
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { continue }
            guard let record = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw BarFileDecoder.bad(name, lineNumber, "not a JSON object")
            }
            let header = record["hd"] as? [String: Any] ?? record
            guard let stamp = text(header["ts_event"]), let t = parser.parse(Substring(stamp)) else {
                throw BarFileDecoder.bad(name, lineNumber, "missing or unreadable hd.ts_event")
            }
            func price(_ key: String) throws(MarketDataError) -> Double {
                guard let raw = text(record[key]), let value = Double(raw) else {
                    throw BarFileDecoder.bad(name, lineNumber, "missing or unreadable \(key)")
                }
                return raw.contains(".") ? value : value / BarFileDecoder.fixedPointScale
            }
            guard let volumeText = text(record["volume"]), let volume = Double(volumeText) else {
                throw BarFileDecoder.bad(name, lineNumber, "missing or unreadable volume")
            }
            bars.append(t, try price("open"), try price("high"), try price("low"), try price("close"), volume)
        }
        return bars
    }

    /// A field as text whether Databento wrote it as a string or a number.
    private static func text(_ value: Any?) -> String? {
        switch value {
        case let s as String: s
        // A floating JSON number prints with a "." so it is never taken for fixed-point.
        case let n as NSNumber: String(cString: n.objCType) == "d" ? "\(n.doubleValue)" : n.stringValue
        default: nil
        }
    }
}
