import Foundation
import Market

/// Draws one session's one-minute bars from its `DayPlan`, opening at the previous
/// close moved by the gap and ending exactly at the walk's close.
///
/// The path is a random walk (an Ornstein–Uhlenbeck pull toward the open on
/// mean-reverting days) whose per-minute volatility follows `IntradayShape`; a bridge
/// then bends it to the target close, front-loaded on trend days so the move happens
/// early as it does in real trend days. OHLC are rounded to the tick; the high and
/// low add wicks beyond the open and close; volume follows the same U shape.
struct SessionPathGenerator {
    let instrument: Instrument
    let profile: MarketProfile
    /// Per-minute pull toward the open on mean-reverting days (half-life ≈ 45 min).
    private static let reversionPerMinute = 0.015

    init(instrument: Instrument, profile: MarketProfile) {
        self.instrument = instrument
        self.profile = profile
    }

    /// Appends bars starting in `from..<to` of `day` to `bars`. The whole session is
    /// drawn either way, so a bar never depends on the window it was asked for in.
    /// `activity` is a reusable buffer, so a long request allocates it once.
    func appendBars(
        of day: SessionDay, plan: DayPlan, previousLogClose: Double, logClose: Double,
        from: Int64, to: Int64, into bars: inout BarColumns, activity: inout [Double]
    ) {
        let minutes = Int((day.close - day.open) / 60)
        guard minutes > 0 else { return }
        let openPrice = profile.basePrice * exp(previousLogClose + plan.gap)
        let closePrice = profile.basePrice * exp(logClose)

        // Per-minute volatility in price units, scaled so the session's variance is the day's.
        activity.removeAll(keepingCapacity: true)
        var totalActivity = 0.0
        for i in 0..<minutes {
            let a = IntradayShape.activity(at: day.open + Int64(i) * 60, in: day)
            activity.append(a)
            totalActivity += a * a
        }
        let dayVolatility = DayPlan.dailyVolatility(profile) * plan.volatilityScale * openPrice
        let perUnit = dayVolatility / totalActivity.squareRoot()

        var rng = SplitMix64(seed: plan.intradaySeed)
        let noise: Double, pull: Double, bridgeExponent: Double
        switch plan.regime {
        case .trend: (noise, pull, bridgeExponent) = (0.8, 0, 0.6)
        case .meanReverting: (noise, pull, bridgeExponent) = (1.3, Self.reversionPerMinute, 1)
        case .mixed: (noise, pull, bridgeExponent) = (1, 0, 1)
        }

        // Raw path and cumulative variance (the bridge weight), then the bridged closes.
        var path = [Double](repeating: 0, count: minutes)
        var cumulative = [Double](repeating: 0, count: minutes)
        var q = openPrice, variance = 0.0
        for i in 0..<minutes {
            let sigma = perUnit * activity[i]
            q += pull * (openPrice - q) + noise * sigma * rng.normal()
            variance += sigma * sigma
            path[i] = q
            cumulative[i] = variance
        }
        let miss = closePrice - q
        let tick = instrument.roundToTick(instrument.tickSize)
        var previousClose = instrument.roundToTick(openPrice)
        for i in 0..<minutes {
            let weight = pow(cumulative[i] / variance, bridgeExponent)
            let sigma = perUnit * activity[i]
            let o = previousClose
            let c = max(tick, instrument.roundToTick(path[i] + weight * miss))
            let h = instrument.roundToTick(max(o, c) + 0.5 * sigma * abs(rng.normal()))
            let l = max(tick, instrument.roundToTick(min(o, c) - 0.5 * sigma * abs(rng.normal())))
            let v = max(1, (profile.minuteVolume * pow(activity[i], 1.3) * exp(0.4 * rng.normal() - 0.08)).rounded())
            previousClose = c
            let t = day.open + Int64(i) * 60
            if t >= from, t < to { bars.append(t, o, max(h, o, c), min(l, o, c), c, v) }
        }
    }
}
