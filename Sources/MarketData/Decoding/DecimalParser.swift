/// Decimal numbers from bytes, giving exactly what `Double(String)` gives.
///
/// Prices in bar files are short decimals (`4321.25`, `1884`). For those, the digits
/// as an integer m < 2^53 and the count k ≤ 22 of digits after the point make
/// `Double(m) / 10^k` exact in both operands, so IEEE division rounds the true
/// quotient once — the correctly rounded value, as strtod's (Clinger's fast path).
/// Anything else (exponents, more digits, `inf`, `nan`, hex) goes to `Double(String)`.
enum DecimalParser {
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = bytes.count
        var i = 0
        var negative = false
        if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        // The integer digits, then the fraction's: two tight loops, not one with a
        // "seen the point" branch per digit.
        var mantissa: UInt64 = 0
        let integerStart = i
        guard accumulate(bytes, &i, into: &mantissa) else { return slow(bytes) }
        var digits = i - integerStart, fractionDigits = 0
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            guard accumulate(bytes, &i, into: &mantissa) else { return slow(bytes) }
            fractionDigits = i - fractionStart
            digits += fractionDigits
        }
        guard i == n, digits > 0, let scale = powerOfTen(fractionDigits) else { return slow(bytes) }
        let value = Double(mantissa) / scale
        return negative ? -value : value
    }

    /// Appends the digits from `i` on to `mantissa`, stopping at the first non-digit.
    /// False when the mantissa would pass 2^53 (then the slow path decides).
    @inline(__always)
    private static func accumulate(_ bytes: UnsafeBufferPointer<UInt8>, _ i: inout Int,
                                   into mantissa: inout UInt64) -> Bool {
        while i < bytes.count {
            let digit = bytes[i] &- 48
            if digit >= 10 { return true }
            guard mantissa < 900_719_925_474_099 else { return false }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            i &+= 1
        }
        return true
    }

    /// 10^k for k ≤ 22, the powers a Double holds exactly. A switch of constants, not a
    /// static array: a global is checked for its lazy initialisation on every call
    /// (`swift_once`, 2.5 % of an end-to-end run in `perf`).
    @inline(__always)
    private static func powerOfTen(_ k: Int) -> Double? {
        switch k {
        case 0: 1
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        case 22: 1e22
        default: nil
        }
    }

    private static func slow(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        Double(String(decoding: bytes, as: UTF8.self))
    }
}
