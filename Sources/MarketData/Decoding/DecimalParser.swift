/// Decimal numbers from bytes, giving exactly what `Double(String)` gives.
///
/// Prices in bar files are short decimals (`4321.25`, `1884`). For those, the digits
/// as an integer m < 2^53 and the count k ≤ 22 of digits after the point make
/// `Double(m) / 10^k` exact in both operands, so IEEE division rounds the true
/// quotient once — the correctly rounded value, as strtod's (Clinger's fast path).
/// Anything else (exponents, more digits, `inf`, `nan`, hex) goes to `Double(String)`.
enum DecimalParser {
    private static let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { value, _ in value * 10 } }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0, fractionDigits = 0
        var seenPoint = false
        while i < bytes.count {
            let byte = bytes[i]
            if byte &- 48 < 10 {
                // 2^53 bounds the mantissa; past it, the slow path decides.
                guard mantissa < 900_719_925_474_099 else { return slow(bytes) }
                mantissa = mantissa * 10 + UInt64(byte &- 48)
                digits += 1
                if seenPoint { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                return slow(bytes)
            }
            i += 1
        }
        guard digits > 0 else { return slow(bytes) }
        guard fractionDigits < powersOfTen.count else { return slow(bytes) }
        let value = Double(mantissa) / powersOfTen[fractionDigits]
        return negative ? -value : value
    }

    private static func slow(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        Double(String(decoding: bytes, as: UTF8.self))
    }
}
