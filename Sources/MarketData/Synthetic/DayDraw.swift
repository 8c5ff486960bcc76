import Foundation
import Market

/// The random draws of one synthetic trade date, from a generator seeded by
/// (market, date, seed) alone, so a day never depends on which other days were asked for.
/// They are standard normals: the walk scales them by the day's variance. Nothing here
/// says which way a day will go or how it will move: every day is drawn alike.
struct DayDraw {
    /// Standardised move from the previous close to this session's open.
    let gap: Double
    /// Standardised move from this session's open to its close.
    let session: Double
    /// Seed for the intraday path.
    let intradaySeed: UInt64

    init(day: Int, marketSeed: UInt64) {
        var rng = SplitMix64(seed: SplitMix64.mix(marketSeed ^ (UInt64(bitPattern: Int64(day)) &* 0xD1B5_4A32_D192_ED03)))
        gap = rng.normal()
        session = rng.normal()
        intradaySeed = rng.next()
    }
}
