import Foundation
import Market

/// A stream's health, as a runner needs it: every bar validated by the `BarSeries`
/// rules (and after the previous bar, on the timeframe's grid) before anyone trades on
/// it; gaps — bar starts the session calendar expected but the stream skipped — counted
/// (`GAP_DETECTED`, for a backfill from the historical provider); and silence measured
/// from the last bar or heartbeat: `staleAfter` → `DATA_STALE` (new entries blocked),
/// `stopAfter` → a graceful stop.
public struct StreamMonitor {
    public enum Verdict: Equatable {
        /// A valid bar, and how many bars the calendar expected before it but never came.
        case bar(StreamBar, missingBefore: Int)
        /// Refused: the bar breaks a `BarSeries` rule (it is not delivered to anyone).
        case invalid(code: String, detail: String)
        case heartbeat
        /// Nothing yet, within `staleAfter`.
        case quiet
        case stale(seconds: Double)
        case stop(seconds: Double)
        case end
    }

    public let staleAfter: TimeInterval
    public let stopAfter: TimeInterval
    public private(set) var lastBar: StreamBar?
    private var lastSignOfLife: Date
    private let instrument: Instrument
    private let timeframe: Timeframe

    public init(for stream: any BarStream, staleAfter: TimeInterval, stopAfter: TimeInterval, now: Date = Date()) {
        precondition(stopAfter >= staleAfter && staleAfter > 0, "0 < staleAfter ≤ stopAfter")
        self.staleAfter = staleAfter
        self.stopAfter = stopAfter
        instrument = stream.instrument
        timeframe = stream.timeframe
        lastSignOfLife = now
    }

    /// Waits up to `timeout` for the stream's next item and judges it.
    public mutating func poll(_ stream: any BarStream, timeout: TimeInterval = 1) -> Verdict {
        switch stream.next(timeout: timeout) {
        case .bar(let bar):
            lastSignOfLife = Date()
            return accept(bar)
        case .heartbeat:
            lastSignOfLife = Date()
            return .heartbeat
        case .end:
            return .end
        case nil:
            let silence = Date().timeIntervalSince(lastSignOfLife)
            if silence >= stopAfter { return .stop(seconds: silence) }
            if silence >= staleAfter { return .stale(seconds: silence) }
            return .quiet
        }
    }

    /// Validates `bar` after the last accepted one and counts the bars missing between them.
    public mutating func accept(_ bar: StreamBar) -> Verdict {
        let previous = lastBar.map { [$0] } ?? []
        let rows = previous + [bar]
        do {
            _ = try BarSeries(timeframe: timeframe, timestamps: rows.map(\.time), open: rows.map(\.open),
                              high: rows.map(\.high), low: rows.map(\.low), close: rows.map(\.close),
                              volume: rows.map(\.volume))
        } catch {
            return .invalid(code: error.code, detail: error.detail)
        }
        let missing = lastBar.map { expectedStarts(after: $0.time, before: bar.time) } ?? 0
        lastBar = bar
        return .bar(bar, missingBefore: missing)
    }

    /// Bar starts on the timeframe's grid strictly between two bars that fall inside a
    /// trading session (closed hours, weekends and holidays are not gaps).
    public func expectedStarts(after previous: Int64, before next: Int64) -> Int {
        let width = Int64(timeframe.seconds)
        guard next - previous > width else { return 0 }
        let sessions = instrument.session.sessions(covering: previous, through: next)
        var count = 0
        var t = previous + width
        while t < next {
            if sessions.contains(where: { t >= $0.open && t + width <= $0.close }) { count += 1 }
            t += width
        }
        return count
    }
}
