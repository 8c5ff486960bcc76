import Foundation

/// Databento Binary Encoding (DBN, versions 1–3) OHLCV records.
///
/// Layout (little-endian): the prelude `"DBN"` + version byte + u32 metadata length,
/// then the metadata (dataset char[16], schema u16, start u64, end u64, …) of which
/// only the schema is checked before skipping it by its length, then records. Each record starts with RecordHeader
/// {length u8 in 4-byte words, rtype u8, publisher_id u16, instrument_id u32,
/// ts_event u64}; OHLCV records follow it with open/high/low/close i64 (1e-9) and
/// volume u64. Records of other types (symbol mappings, system messages) are skipped.
enum DBNDecoder {
    static let magic: [UInt8] = Array("DBN".utf8)
    private static let supportedVersions: ClosedRange<UInt8> = 1...3
    private static let preludeLength = 8
    private static let ohlcvLength = 56
    /// rtype values: 0x11 legacy OHLCV, 0x20 1s, 0x21 1m, 0x22 1h, 0x23 1d, 0x24 EOD.
    private static let ohlcvTypes: Set<UInt8> = [0x11, 0x20, 0x21, 0x22, 0x23, 0x24]
    /// Schemas holding OHLCV records: 1s, 1m, 1h, 1d, EOD, and u16::MAX for mixed.
    private static let ohlcvSchemas: Set<UInt16> = [5, 6, 7, 8, 13, 0xFFFF]
    /// i64::MAX marks an undefined price.
    private static let undefinedPrice = Int64.max

    static func decode(_ data: Data, name: String) throws(MarketDataError) -> BarColumns {
        let bytes = [UInt8](data)
        guard bytes.count >= preludeLength, Array(bytes[0..<3]) == magic else {
            throw BarFileDecoder.bad(name, nil, "not a DBN stream (missing the 'DBN' prelude)")
        }
        let version = bytes[3]
        guard supportedVersions.contains(version) else {
            throw BarFileDecoder.bad(name, nil, "DBN version \(version) is not supported (1–3 are)")
        }
        let metadataLength = Int(readU32(bytes, 4))
        var offset = preludeLength + metadataLength
        guard offset <= bytes.count, metadataLength >= 18 else {
            throw BarFileDecoder.bad(name, nil, "DBN metadata is truncated")
        }
        let schema = UInt16(bytes[preludeLength + 16]) | UInt16(bytes[preludeLength + 17]) << 8
        guard ohlcvSchemas.contains(schema) else {
            throw BarFileDecoder.bad(name, nil, "DBN schema \(schema) holds no OHLCV bars (1s, 1m, 1h or 1d are readable)")
        }

        var bars = BarColumns(capacity: (bytes.count - offset) / ohlcvLength)
        var record = 0
        while offset < bytes.count {
            record += 1
            let length = Int(bytes[offset]) * 4
            guard length >= 16, offset + length <= bytes.count else {
                throw BarFileDecoder.bad(name, nil, "DBN record \(record) at byte \(offset) is truncated or malformed")
            }
            let rtype = bytes[offset + 1]
            if ohlcvTypes.contains(rtype) {
                guard length >= ohlcvLength else {
                    throw BarFileDecoder.bad(name, nil, "DBN OHLCV record \(record) is \(length) bytes, expected \(ohlcvLength)")
                }
                func price(_ field: Int) throws(MarketDataError) -> Double {
                    let raw = Int64(bitPattern: readU64(bytes, offset + 16 + 8 * field))
                    guard raw != undefinedPrice else {
                        throw BarFileDecoder.bad(name, nil, "DBN record \(record) has an undefined price")
                    }
                    return Double(raw) / BarFileDecoder.fixedPointScale
                }
                // ts_event is the bar's open time in ns; bars start on whole seconds.
                let seconds = (Int64(bitPattern: readU64(bytes, offset + 8)) + 500_000_000) / 1_000_000_000
                bars.append(
                    seconds, try price(0), try price(1), try price(2), try price(3), Double(readU64(bytes, offset + 48)))
            }
            offset += length
        }
        return bars
    }

    private static func readU32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }

    private static func readU64(_ b: [UInt8], _ at: Int) -> UInt64 {
        var value: UInt64 = 0
        for k in (0..<8).reversed() { value = value << 8 | UInt64(b[at + k]) }
        return value
    }
}
