import Crypto

/// SHA-256 for bar fingerprints and params hashes (not secrets), with the
/// incremental API the fingerprint and canonical-JSON hashes use. The rounds are
/// swift-crypto's (BoringSSL: the CPU's SHA extensions where it has them, about 8×
/// the hand-written Swift rounds this replaced).
public struct SHA256 {
    private var hasher = Crypto.SHA256()

    public init() {}

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    public mutating func update(_ raw: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: raw)
    }

    public mutating func update(_ text: String) {
        update(text.utf8)
    }

    /// Little-endian bytes of the value, the canonical form for numbers we hash.
    public mutating func update(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { update($0) }
    }

    public mutating func update(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { update($0) }
    }

    public func finalize() -> [UInt8] {
        Array(hasher.finalize())
    }

    public func hexDigest() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in hasher.finalize() {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.hexDigest()
    }

    public static func hex(_ text: String) -> String { hex(text.utf8) }
}
