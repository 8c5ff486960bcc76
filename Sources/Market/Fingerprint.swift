import Foundation

extension BarSeries {
    /// A stable identity for exactly these bars: SHA-256 hex over the timeframe's
    /// seconds, then per bar its timestamp (Int64) and open, high, low, close, volume
    /// (IEEE-754 bit patterns), all little-endian. Same bars → same fingerprint on any
    /// machine; one changed tick → a different one. Hashed once per series.
    public var fingerprint: String {
        memoized(FingerprintKey()) { computeFingerprint() }
    }

    private struct FingerprintKey: Hashable {}

    private func computeFingerprint() -> String {
        var hasher = SHA256()
        hasher.update(Int64(timeframe.seconds))
        // Bars are serialised into a reusable chunk so hashing runs over whole blocks.
        let barsPerChunk = 1024
        var chunk = [UInt8](repeating: 0, count: barsPerChunk * 48)
        var start = 0
        while start < count {
            let end = min(start + barsPerChunk, count)
            chunk.withUnsafeMutableBytes { out in
                var offset = 0
                func put(_ word: UInt64) {
                    out.storeBytes(of: word.littleEndian, toByteOffset: offset, as: UInt64.self)
                    offset += 8
                }
                for i in start..<end {
                    put(UInt64(bitPattern: timestamps[i]))
                    put(open[i].bitPattern)
                    put(high[i].bitPattern)
                    put(low[i].bitPattern)
                    put(close[i].bitPattern)
                    put(volume[i].bitPattern)
                }
            }
            chunk.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<(end - start) * 48])) }
            start = end
        }
        return hasher.hexDigest()
    }
}

/// Canonical JSON: keys sorted, no whitespace, slashes unescaped. Equal values give
/// equal bytes, so hashes of it (`paramsHash`) are stable across runs and machines.
public enum CanonicalJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func data<T: Encodable>(_ value: T) throws -> Data {
        try encoder().encode(value)
    }

    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try data(value), as: UTF8.self)
    }

    /// Re-serialises arbitrary JSON text canonically (for JSON that arrives as text).
    public static func canonicalize(_ json: Data) throws -> String {
        let object = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
        let data = try JSONSerialization.data(
            withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    /// SHA-256 hex of the canonical JSON of `value`.
    public static func hash<T: Encodable>(_ value: T) throws -> String {
        SHA256.hex(try data(value))
    }
}

/// The `params_hash` recorded with every backtest: SHA-256 hex of canonical JSON.
public func paramsHash<T: Encodable>(_ params: T) throws -> String {
    try CanonicalJSON.hash(params)
}
