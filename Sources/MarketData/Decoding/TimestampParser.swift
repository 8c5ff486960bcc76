import Foundation
import Market

/// Parses the timestamp spellings found in bar files into UTC epoch seconds:
/// integer epochs (s, ms, µs or ns, told apart by magnitude), decimal epoch seconds,
/// and ISO-8601 `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH[:]MM]`. Stamps without a zone are
/// wall-clock time in `naiveZone` (UTC unless the caller declares otherwise).
/// Fractions of a second round to the nearest second (some vendors stamp bar ends
/// as hh:mm:59.999).
struct TimestampParser {
    let naiveZone: TimeZone
    /// Offsets of the naive zone by local hour: DST switches happen on the hour.
    private var offsetByLocalHour: [Int64: Int64] = [:]
    private var lastDateKey = -1
    private var lastDateDays: Int64 = 0

    init(naiveZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.naiveZone = naiveZone
    }

    mutating func parse(_ text: Substring) -> Int64? {
        var copy = String(text)
        return copy.withUTF8 { parse($0) }
    }

    /// The bytes of one field (the CSV decoder hands slices of the file, no copy).
    mutating func parse(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let first = b.first else { return nil }
        if first == UInt8(ascii: "-") || b.count < 10 || b[4] != UInt8(ascii: "-") {
            return Self.parseEpoch(b)
        }
        return parseISO(b)
    }

    /// Epoch integers: ≥ 1e17 are nanoseconds, ≥ 1e14 microseconds, ≥ 1e11
    /// milliseconds, otherwise seconds (1e11 s is the year 5138).
    static func parseEpoch(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; i = 1 }
        var whole: Int64 = 0
        var digits = 0
        while i < bytes.count, let d = digit(bytes[i]) {
            let (m, o1) = whole.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            whole = s
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        if i < bytes.count {
            // Decimal epoch seconds, e.g. "1609160400.5".
            guard bytes[i] == UInt8(ascii: "."),
                  let fraction = Double("0" + String(decoding: UnsafeBufferPointer(rebasing: bytes[i...]), as: UTF8.self))
            else { return nil }
            let seconds = whole + (fraction >= 0.5 ? 1 : 0)
            return negative ? -seconds : seconds
        }
        let magnitude = whole
        let seconds: Int64
        if magnitude >= 100_000_000_000_000_000 { seconds = roundedDivide(magnitude, 1_000_000_000) }
        else if magnitude >= 100_000_000_000_000 { seconds = roundedDivide(magnitude, 1_000_000) }
        else if magnitude >= 100_000_000_000 { seconds = roundedDivide(magnitude, 1_000) }
        else { seconds = magnitude }
        return negative ? -seconds : seconds
    }

    private mutating func parseISO(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let year = number(b, 0, 4), b[4] == UInt8(ascii: "-"), let month = number(b, 5, 2),
              b[7] == UInt8(ascii: "-"), let day = number(b, 8, 2),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var i = 10
        var hour = 0, minute = 0, second = 0
        var roundUp = false
        if i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") {
            guard let h = number(b, i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"),
                  let m = number(b, i + 4, 2)
            else { return nil }
            hour = h; minute = m; i += 6
            if i < b.count, b[i] == UInt8(ascii: ":") {
                guard let s = number(b, i + 1, 2) else { return nil }
                second = s; i += 3
                if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                    i += 1
                    let start = i
                    while i < b.count, Self.digit(b[i]) != nil { i += 1 }
                    guard i > start else { return nil }
                    roundUp = b[start] >= UInt8(ascii: "5")
                }
            }
        }
        guard hour < 24, minute < 60, second < 61 else { return nil }
        let local = days(year, month, day) * 86_400 + Int64(hour * 3600 + minute * 60 + second) + (roundUp ? 1 : 0)
        if i == b.count { return local - naiveOffset(local) }
        if b[i] == UInt8(ascii: "Z"), i + 1 == b.count { return local }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), let oh = number(b, i + 1, 2) else { return nil }
        var j = i + 3
        if j < b.count, b[j] == UInt8(ascii: ":") { j += 1 }
        let om = j == b.count ? 0 : number(b, j, 2)
        guard let om, j + (j == b.count ? 0 : 2) == b.count else { return nil }
        let offset = Int64(oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        return local - offset
    }

    /// Days since the epoch of a civil date; consecutive bars share their date, so
    /// the last one is kept.
    private mutating func days(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let key = (year * 100 + month) * 100 + day
        if key != lastDateKey {
            lastDateKey = key
            lastDateDays = Int64(CivilDate(year: year, month: month, day: day).daysSinceEpoch)
        }
        return lastDateDays
    }

    /// Offset of the naive zone at a local wall-clock time (two passes across DST).
    private mutating func naiveOffset(_ local: Int64) -> Int64 {
        let hourKey = local >= 0 ? local / 3600 : (local - 3599) / 3600
        if let cached = offsetByLocalHour[hourKey] { return cached }
        let guess = Int64(naiveZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local))))
        let offset = Int64(naiveZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - guess))))
        offsetByLocalHour[hourKey] = offset
        return offset
    }

    @inline(__always)
    private func number(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ width: Int) -> Int? {
        guard at + width <= b.count else { return nil }
        var value = 0
        for k in at..<(at + width) {
            guard let d = Self.digit(b[k]) else { return nil }
            value = value * 10 + d
        }
        return value
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= 48 && byte <= 57 ? Int(byte - 48) : nil
    }

    private static func roundedDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        (value + divisor / 2) / divisor
    }
}
