import Foundation
import Market

/// The raw material of `ReturnStatistics`: bar-to-bar log returns inside sessions, the
/// open and close of every session, and volume by regular hours and overnight.
///
/// Rules (the same for real and synthetic bars, so their statistics compare):
/// - Bars belong to sessions as in `SessionMap`; only bars starting in the session's
///   `open..<close` are used. Bars printed after the close (the 16:00–16:15 CT tail ES
///   traded until 2021) are left out, so both sources cover the same minutes.
/// - A return is `log(close[i] / close[i-1])` of two bars of one session that start
///   exactly one bar width apart; it is dated by bar i (the minute in which the move
///   happened). Pairs that span a missing bar are skipped and counted in `skipped`,
///   never stretched over the gap; the move across the daily break is the session-open
///   gap, not a return.
/// - Bars whose start lies in an `excluded` range (e.g. FOMC afternoons) contribute no
///   return and no volume, and a return after them does not continue the one before.
///   Session opens and closes are not affected by exclusions.
public struct MinuteReturns: Sendable {
    public struct Return: Sendable, Equatable {
        public let value: Double
        /// Bar start of the later bar, UTC epoch seconds.
        public let time: Int64
        public let part: SessionPart
        /// True when the previous element of `returns` is the return of the bar just
        /// before, in the same session: the pair counts for autocorrelations.
        public let continuesPrevious: Bool
    }

    /// One session that has bars in its `open..<close`.
    public struct Session: Sendable, Equatable {
        public let day: SessionDay
        /// Open of its first bar and close of its last bar (inside `open..<close`).
        public let firstOpen: Double
        public let lastClose: Double
        /// Whether the bars reach the session's edges: the first bar starts within
        /// `edgeTolerance` of the open, the last bar ends within it of the close. Only
        /// such sessions count for open-to-close returns and gaps.
        public let coversOpen: Bool
        public let coversClose: Bool
    }

    /// Missing bars allowed at a session's edges before it stops counting as whole.
    public static let edgeTolerance: Int64 = 5 * 60

    public let returns: [Return]
    public let sessions: [Session]
    /// Bars starting inside their session's open..<close (excluded ones included).
    public let bars: Int
    /// Consecutive bars of a session more than one bar width apart.
    public let skipped: Int
    public let regularVolume: Double
    public let regularBars: Int
    public let overnightVolume: Double
    public let overnightBars: Int
    public let barSeconds: Int

    public init(bars: BarSeries, session: TradingSession, excluding excluded: [Range<Int64>] = []) {
        let step = Int64(bars.timeframe.seconds)
        let map = SessionMap(bars: bars, session: session)
        let ts = bars.timestamps, close = bars.close
        var returns: [Return] = []
        returns.reserveCapacity(bars.count)
        var sessions: [Session] = []
        var skipped = 0
        var inSessions = 0
        var regularVolume = 0.0, overnightVolume = 0.0
        var regularBars = 0, overnightBars = 0
        func isExcluded(_ t: Int64) -> Bool { excluded.contains { $0.contains(t) } }

        for k in map.days.indices {
            let day = map.days[k]
            var first: Int?
            var last: Int?
            // The previous bar in the session and whether its return was kept.
            var previous: Int?
            var previousKept = false
            for i in map.firstBar[k]..<map.endBar[k] {
                let t = ts[i]
                guard t >= day.open, t < day.close else { continue }
                if first == nil { first = i }
                last = i
                inSessions += 1
                defer { previous = i }
                if isExcluded(t) {
                    previousKept = false
                    continue
                }
                let part = SessionPart.of(t, in: day)
                if part.isRegular {
                    regularVolume += bars.volume[i]
                    regularBars += 1
                } else {
                    overnightVolume += bars.volume[i]
                    overnightBars += 1
                }
                guard let p = previous else { continue }
                guard t - ts[p] == step else {
                    skipped += 1
                    previousKept = false
                    continue
                }
                // The previous bar's own return must also be in the list for the pair
                // to be adjacent (it is not when that bar opened the session, followed a
                // missing bar, or was excluded).
                returns.append(Return(value: log(close[i] / close[p]), time: t, part: part,
                                      continuesPrevious: previousKept))
                previousKept = true
            }
            if let first, let last {
                sessions.append(Session(
                    day: day, firstOpen: bars.open[first], lastClose: close[last],
                    coversOpen: ts[first] - day.open <= Self.edgeTolerance,
                    coversClose: day.close - (ts[last] + step) <= Self.edgeTolerance))
            }
        }
        self.returns = returns
        self.sessions = sessions
        self.bars = inSessions
        self.skipped = skipped
        self.regularVolume = regularVolume
        self.regularBars = regularBars
        self.overnightVolume = overnightVolume
        self.overnightBars = overnightBars
        self.barSeconds = Int(step)
    }
}
