/// Which session each bar belongs to, computed once per series by a linear merge
/// of bar timestamps against precomputed session boundaries.
///
/// A bar belongs to the latest session that opened at or before its start, so bars
/// printed after a session's close (e.g. the 16:00–16:15 CT tail ES traded until
/// 2021) stay with that session, outside its open..close window. Sessions come from
/// `TradingSession.sessions(fromDay:throughDay:)`, exchange calendar included: bars
/// after an early close stay with that day's session, and a stray bar printed on a
/// closed date (no session of its own) belongs to the last session before it.
public struct SessionMap: Sendable {
    /// Sessions that hold at least one bar, in order.
    public let days: [SessionDay]
    /// Bars of `days[k]` are `firstBar[k] ..< endBar[k]`.
    public let firstBar: [Int]
    public let endBar: [Int]
    /// Bars at the start of the series that belong to no session (rows `0..<leadingUnassigned`).
    public let leadingUnassigned: Int

    public init(bars: BarSeries, session: TradingSession) {
        var days: [SessionDay] = []
        var first: [Int] = []
        var end: [Int] = []
        var leading = 0
        // The current session and the next one's open. Boundaries are looked up only
        // when a bar crosses into a new session — per day, never per bar — and only
        // around days that have bars, so sparse data spanning years stays cheap.
        var current: SessionDay?
        var nextOpen = Int64.min
        var nearby: [SessionDay] = []
        var k = 0
        let ts = bars.timestamps
        for i in 0..<ts.count {
            let t = ts[i]
            if t >= nextOpen {
                // Advance through the cached sessions; fetch a new stretch of days only
                // when the bar lies beyond them (or before them: data gaps of weeks).
                while k + 1 < nearby.count, nearby[k + 1].open <= t { k += 1 }
                if k + 1 >= nearby.count || nearby[k].open > t {
                    let localDay = session.localDay(of: t)
                    nearby = session.sessions(fromDay: localDay - 4, throughDay: localDay + 10)
                    guard let found = nearby.lastIndex(where: { $0.open <= t }) else {
                        // Before every nearby session (not possible with Monday–Friday
                        // templates, and CME's calendar never closes two weekdays in a
                        // row): the bar stays with the current session, if any.
                        nextOpen = nearby.first?.open ?? Int64.max
                        nearby = []
                        k = 0
                        if current == nil { leading += 1 }
                        continue
                    }
                    k = found
                }
                nextOpen = k + 1 < nearby.count ? nearby[k + 1].open : Int64.max
                if current != nearby[k] {
                    current = nearby[k]
                    if !days.isEmpty { end.append(i) }
                    days.append(nearby[k])
                    first.append(i)
                }
            } else if current == nil {
                leading += 1
            }
        }
        if !days.isEmpty { end.append(ts.count) }
        self.days = days
        self.firstBar = first
        self.endBar = end
        self.leadingUnassigned = leading
    }
}

public struct ResampleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let from: Timeframe
    public let to: Timeframe
    public var description: String {
        "cannot resample \(from.rawValue) bars to \(to.rawValue): the target must be a whole multiple of the source"
    }
}

extension BarSeries {
    /// Aggregates to a wider timeframe. Buckets are aligned to the session open
    /// (`open + floor((t - open) / width) * width`), so a bar never spans the daily
    /// break, a weekend or a data gap wider than itself; bars before any session fall
    /// back to epoch alignment. A bucket keeps the first open, the highest high, the
    /// lowest low, the last close and the summed volume of the source bars in it.
    public func resampled(to target: Timeframe, session: TradingSession) throws(ResampleError) -> BarSeries {
        guard target.seconds % timeframe.seconds == 0 else { throw ResampleError(from: timeframe, to: target) }
        if target == timeframe { return self }
        let width = Int64(target.seconds)
        let map = SessionMap(bars: self, session: session)
        var ts: [Int64] = [], o: [Double] = [], h: [Double] = [], l: [Double] = [], c: [Double] = []
        var v: [Double] = []
        let estimate = count / (target.seconds / timeframe.seconds) + map.days.count + 1
        ts.reserveCapacity(estimate); o.reserveCapacity(estimate); h.reserveCapacity(estimate)
        l.reserveCapacity(estimate); c.reserveCapacity(estimate); v.reserveCapacity(estimate)
        func add(_ i: Int, bucket: Int64) {
            if let last = ts.last, last == bucket {
                let j = ts.count - 1
                h[j] = Swift.max(h[j], high[i])
                l[j] = Swift.min(l[j], low[i])
                c[j] = close[i]
                v[j] += volume[i]
            } else {
                ts.append(bucket); o.append(open[i]); h.append(high[i]); l.append(low[i])
                c.append(close[i]); v.append(volume[i])
            }
        }
        for i in 0..<map.leadingUnassigned {
            add(i, bucket: floorDiv(timestamps[i], width) * width)
        }
        for k in 0..<map.days.count {
            let origin = map.days[k].open
            for i in map.firstBar[k]..<map.endBar[k] {
                add(i, bucket: origin + floorDiv(timestamps[i] - origin, width) * width)
            }
        }
        return BarSeries(unchecked: target, timestamps: ts, open: o, high: h, low: l, close: c, volume: v)
    }
}
