import Market

/// Decoded bars before they become a validated `BarSeries`: the common output of
/// every file format and HTTP response. Timestamps are UTC epoch seconds of the bar
/// START (decoders convert bar-end stamps).
struct BarColumns: Sendable, Equatable {
    var timestamps: [Int64] = []
    var open: [Double] = []
    var high: [Double] = []
    var low: [Double] = []
    var close: [Double] = []
    var volume: [Double] = []

    var count: Int { timestamps.count }
    var isEmpty: Bool { timestamps.isEmpty }

    init() {}

    init(capacity: Int) {
        reserve(capacity)
    }

    mutating func reserve(_ capacity: Int) {
        timestamps.reserveCapacity(capacity)
        open.reserveCapacity(capacity)
        high.reserveCapacity(capacity)
        low.reserveCapacity(capacity)
        close.reserveCapacity(capacity)
        volume.reserveCapacity(capacity)
    }

    mutating func append(_ t: Int64, _ o: Double, _ h: Double, _ l: Double, _ c: Double, _ v: Double) {
        timestamps.append(t)
        open.append(o)
        high.append(h)
        low.append(l)
        close.append(c)
        volume.append(v)
    }

    mutating func append(contentsOf other: BarColumns) {
        timestamps += other.timestamps
        open += other.open
        high += other.high
        low += other.low
        close += other.close
        volume += other.volume
    }

    /// The bar width in seconds: the smallest gap between consecutive stamps (larger
    /// gaps are session breaks or quiet minutes). Nil with fewer than two bars.
    var nativeInterval: Int64? {
        var best: Int64?
        for i in timestamps.indices.dropFirst() {
            let gap = timestamps[i] - timestamps[i - 1]
            if gap > 0, gap < (best ?? .max) { best = gap }
        }
        return best
    }

    /// Shifts bar-end stamps to bar-start stamps.
    mutating func shiftStamps(by seconds: Int64) {
        for i in timestamps.indices { timestamps[i] -= seconds }
    }
}
