import Foundation
import Market

/// One calendar day of the walk, in log price relative to the profile's base price.
struct WalkDay {
    /// Log price at this session's open (the previous close moved by the gap).
    let logOpen: Double
    /// Log price at this session's close.
    let logClose: Double
    /// Variance of the open-to-close log move (the day's GARCH variance less the gap's share).
    let sessionVariance: Double
    let intradaySeed: UInt64
}

/// Session closes of a synthetic market as a driftless random walk in log price whose
/// daily variance follows a GARCH(1,1) process, so volatility clusters (calm and wild
/// weeks) while no day's direction depends on any other's: the walk is a martingale,
/// with nothing to forecast. It is pinned at the base price at the start of
/// 2025-01-01 and runs forward from there (and, for earlier dates, backward with the
/// same recursion), day by day from each date's own `DayDraw`, so the close of any date
/// is the same whatever window was requested. No pull toward the base: that would be a
/// drift a strategy could learn.
struct DailyWalk {
    /// 2025-01-01, where the walk sits at the base price.
    static let originDay = 20_089
    /// GARCH(1,1) weights: the shock's weight and the persistence of yesterday's variance.
    /// α + β = 0.98 (volatility half-life about five weeks), as fitted to index futures.
    static let shockWeight = 0.07
    static let persistence = 0.91

    let profile: MarketProfile
    let marketSeed: UInt64

    /// Daily variance of log returns the process reverts to (252 trading days a year).
    var longRunVariance: Double {
        profile.annualVolatility * profile.annualVolatility / 252
    }

    /// Each local calendar day of `firstDay...lastDay` (index 0 is `firstDay`). Days that
    /// do not trade (weekends) open and close at the previous close.
    func days(firstDay: Int, lastDay: Int) -> [WalkDay] {
        precondition(firstDay <= lastDay)
        var days = [WalkDay?](repeating: nil, count: lastDay - firstDay + 1)
        func record(_ day: Int, _ walkDay: WalkDay) {
            if day >= firstDay, day <= lastDay { days[day - firstDay] = walkDay }
        }
        let gapShare = profile.gapFraction * profile.gapFraction
        // Forward from the origin: each day's variance is set by the days before it.
        var close = 0.0, variance = longRunVariance
        var day = Self.originDay
        while day <= lastDay {
            let draw = DayDraw(day: day, marketSeed: marketSeed)
            if isTradeDate(day) {
                let gap = (gapShare * variance).squareRoot() * draw.gap
                let move = ((1 - gapShare) * variance).squareRoot() * draw.session
                record(day, WalkDay(logOpen: close + gap, logClose: close + gap + move,
                                    sessionVariance: (1 - gapShare) * variance, intradaySeed: draw.intradaySeed))
                close += gap + move
                variance = nextVariance(variance, gapShare: gapShare, draw: draw)
            } else {
                record(day, WalkDay(logOpen: close, logClose: close, sessionVariance: 0, intradaySeed: draw.intradaySeed))
            }
            day += 1
        }
        // Backward from the origin: the same recursion in reversed time, undoing each
        // day's move from its close.
        close = 0
        variance = longRunVariance
        day = Self.originDay - 1
        while day >= firstDay {
            let draw = DayDraw(day: day, marketSeed: marketSeed)
            if isTradeDate(day) {
                let gap = (gapShare * variance).squareRoot() * draw.gap
                let move = ((1 - gapShare) * variance).squareRoot() * draw.session
                record(day, WalkDay(logOpen: close - move, logClose: close,
                                    sessionVariance: (1 - gapShare) * variance, intradaySeed: draw.intradaySeed))
                close -= gap + move
                variance = nextVariance(variance, gapShare: gapShare, draw: draw)
            } else {
                record(day, WalkDay(logOpen: close, logClose: close, sessionVariance: 0, intradaySeed: draw.intradaySeed))
            }
            day -= 1
        }
        return days.map { $0! }
    }

    /// GARCH(1,1): σ²ₜ₊₁ = ω + α·εₜ² + β·σ²ₜ with ω = (1 − α − β)·σ̄², where εₜ is the
    /// day's whole move (gap and session; their standardised squares weighted by share).
    private func nextVariance(_ variance: Double, gapShare: Double, draw: DayDraw) -> Double {
        let standardisedSquare = gapShare * draw.gap * draw.gap + (1 - gapShare) * draw.session * draw.session
        return (1 - Self.shockWeight - Self.persistence) * longRunVariance
            + variance * (Self.shockWeight * standardisedSquare + Self.persistence)
    }

    private func isTradeDate(_ day: Int) -> Bool {
        let weekday = ((day % 7) + 11) % 7  // 0 = Sunday; 1970-01-01 was a Thursday
        return weekday != 0 && weekday != 6
    }
}
