/// A bar that breaks a validation rule. Never repaired silently: the caller
/// learns which row and timestamp are wrong.
public struct BarValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Rule: String, Sendable, Equatable {
        case lengthMismatch = "LENGTH_MISMATCH"
        case timestampNotIncreasing = "TIMESTAMP_NOT_INCREASING"
        case priceNotPositive = "PRICE_NOT_POSITIVE"
        case priceNotFinite = "PRICE_NOT_FINITE"
        case highBelowOpenOrClose = "HIGH_BELOW_OPEN_OR_CLOSE"
        case lowAboveOpenOrClose = "LOW_ABOVE_OPEN_OR_CLOSE"
        case volumeInvalid = "VOLUME_INVALID"
        case timeframeMismatch = "TIMEFRAME_MISMATCH"
    }

    public let rule: Rule
    /// Zero-based row in the series (-1 when the error concerns the whole series).
    public let row: Int
    public let timestamp: Int64
    public let detail: String

    public init(rule: Rule, row: Int, timestamp: Int64, detail: String) {
        self.rule = rule
        self.row = row
        self.timestamp = timestamp
        self.detail = detail
    }

    public var code: String { rule.rawValue }

    public var description: String {
        row < 0 ? "\(rule.rawValue): \(detail)"
            : "\(rule.rawValue) at row \(row) (\(isoUTC(timestamp))): \(detail)"
    }
}

/// Bars in columnar storage: one contiguous array per field, so the engine's inner
/// loop streams through memory. Timestamps are UTC epoch seconds of the bar START.
public struct BarSeries: Sendable {
    public let timeframe: Timeframe
    public let timestamps: [Int64]
    public let open: [Double]
    public let high: [Double]
    public let low: [Double]
    public let close: [Double]
    public let volume: [Double]
    /// Parameter-free values derived from these bars (`memoized`), shared by copies.
    let memo = SeriesMemo()

    public var count: Int { timestamps.count }
    public var isEmpty: Bool { timestamps.isEmpty }

    public init(
        timeframe: Timeframe, timestamps: [Int64], open: [Double], high: [Double], low: [Double],
        close: [Double], volume: [Double]
    ) throws(BarValidationError) {
        let n = timestamps.count
        guard open.count == n, high.count == n, low.count == n, close.count == n, volume.count == n else {
            throw BarValidationError(
                rule: .lengthMismatch, row: -1, timestamp: 0,
                detail: "columns differ in length: timestamps \(n), open \(open.count), high \(high.count), "
                    + "low \(low.count), close \(close.count), volume \(volume.count)")
        }
        for i in 0..<n {
            let t = timestamps[i]
            if i > 0, t <= timestamps[i - 1] {
                throw BarValidationError(
                    rule: .timestampNotIncreasing, row: i, timestamp: t,
                    detail: t == timestamps[i - 1] ? "duplicate of row \(i - 1)"
                        : "earlier than row \(i - 1) (\(isoUTC(timestamps[i - 1])))")
            }
            let o = open[i], h = high[i], l = low[i], c = close[i]
            if let bad = Self.firstBadPrice(o, h, l, c) {
                throw BarValidationError(
                    rule: bad.value.isFinite ? .priceNotPositive : .priceNotFinite, row: i, timestamp: t,
                    detail: "\(bad.field) is \(bad.value)")
            }
            guard h >= max(o, c) else {
                throw BarValidationError(
                    rule: .highBelowOpenOrClose, row: i, timestamp: t,
                    detail: "high \(h) is below max(open \(o), close \(c))")
            }
            guard l <= min(o, c) else {
                throw BarValidationError(
                    rule: .lowAboveOpenOrClose, row: i, timestamp: t,
                    detail: "low \(l) is above min(open \(o), close \(c))")
            }
            guard volume[i].isFinite, volume[i] >= 0 else {
                throw BarValidationError(
                    rule: .volumeInvalid, row: i, timestamp: t, detail: "volume \(volume[i]) is not a finite number ≥ 0")
            }
        }
        self.timeframe = timeframe
        self.timestamps = timestamps
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }

    private static func firstBadPrice(
        _ o: Double, _ h: Double, _ l: Double, _ c: Double
    ) -> (field: String, value: Double)? {
        if !(o.isFinite && o > 0) { return ("open", o) }
        if !(h.isFinite && h > 0) { return ("high", h) }
        if !(l.isFinite && l > 0) { return ("low", l) }
        if !(c.isFinite && c > 0) { return ("close", c) }
        return nil
    }

    /// Rows `range` as a new series (already valid, so no re-validation).
    public func slice(_ range: Range<Int>) -> BarSeries {
        // The whole series is itself: no copy of every column (a window covering a file).
        if range == 0..<count { return self }
        return BarSeries(
            unchecked: timeframe, timestamps: Array(timestamps[range]), open: Array(open[range]),
            high: Array(high[range]), low: Array(low[range]), close: Array(close[range]),
            volume: Array(volume[range]))
    }

    /// Rows whose bar start lies in `from..<to` (UTC epoch seconds).
    public func window(from: Int64, to: Int64) -> BarSeries {
        let lo = lowerBound(from)
        let hi = max(lo, lowerBound(to))
        return slice(lo..<hi)
    }

    /// First row whose timestamp is ≥ `t` (binary search).
    public func lowerBound(_ t: Int64) -> Int {
        var lo = 0, hi = timestamps.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if timestamps[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// For values produced by code in this module that already guarantees the rules.
    init(
        unchecked timeframe: Timeframe, timestamps: [Int64], open: [Double], high: [Double], low: [Double],
        close: [Double], volume: [Double]
    ) {
        self.timeframe = timeframe
        self.timestamps = timestamps
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }
}
