import Foundation
import Market

/// The character of one synthetic trade date, drawn from a generator seeded by
/// (market, date, seed) alone, so a day never depends on which other days were asked for.
struct DayPlan {
    enum Regime: CaseIterable {
        /// Moves far from its open, mostly early: breakouts and trend-following pay.
        case trend
        /// Oscillates around its open and closes near it: fades and reversion pay.
        case meanReverting
        /// A plain random walk.
        case mixed
    }

    let regime: Regime
    /// Log move from the previous close to this session's open.
    let gap: Double
    /// Log move from this session's open to its close.
    let sessionMove: Double
    /// This day's volatility relative to the profile's (volatility comes in regimes too).
    let volatilityScale: Double
    /// Seed for the intraday path.
    let intradaySeed: UInt64

    /// Daily standard deviation of log returns for a profile (252 trading days a year).
    static func dailyVolatility(_ profile: MarketProfile) -> Double {
        profile.annualVolatility / 252.0.squareRoot()
    }

    init(day: Int, marketSeed: UInt64, profile: MarketProfile) {
        var rng = SplitMix64(seed: SplitMix64.mix(marketSeed ^ (UInt64(bitPattern: Int64(day)) &* 0xD1B5_4A32_D192_ED03)))
        let draw = rng.uniform()
        regime = draw < 0.3 ? .trend : draw < 0.7 ? .meanReverting : .mixed
        volatilityScale = exp(0.3 * rng.normal() - 0.045)
        let sigma = Self.dailyVolatility(profile) * volatilityScale
        gap = profile.gapFraction * sigma * rng.normal()
        switch regime {
        case .trend:
            let direction: Double = rng.uniform() < 0.5 ? -1 : 1
            sessionMove = direction * (1.0 + 0.8 * rng.uniform()) * sigma
        case .meanReverting:
            sessionMove = 0.3 * sigma * rng.normal()
        case .mixed:
            sessionMove = 0.9 * sigma * rng.normal()
        }
        intradaySeed = rng.next()
    }
}
