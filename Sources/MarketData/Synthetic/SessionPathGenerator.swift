import Foundation
import Market

/// Draws one session's one-minute bars: a Gaussian random walk in log price from the
/// walk's open to its close, whose per-minute variance is the U shape of
/// `IntradayShape` times a clustering stochastic volatility (log-variance AR(1)) and
/// rare news minutes.
///
/// The minute variances are drawn first, and are independent of direction. Given them,
/// the minutes are independent normals conditioned on their sum being the walk's
/// session move, which was itself drawn from that sum's distribution; the conditioned
/// path therefore has exactly the distribution of free independent minutes. No bridge
/// toward a planned target, no reversion, no trend: nothing in the path forecasts the
/// rest of it. OHLC are rounded to the tick; the high and low are the extremes of a
/// Brownian path between the bar's ends (`extremes`); volume follows the U shape and the volatility, not the direction.
struct SessionPathGenerator {
    /// Per-minute persistence of log variance (half-life about 35 minutes).
    static let volatilityPersistence = 0.98
    /// Standard deviation of the stationary log variance: most of the fat tails.
    static let volatilityDispersion = 0.8
    /// Chance that a minute carries news, and the variance multiplier when it does.
    static let newsChance = 0.0004
    static let newsVariance = 25.0

    let instrument: Instrument
    let profile: MarketProfile
    let longRunVariance: Double

    /// Buffers reused across sessions, so a long request allocates them once.
    struct Scratch {
        var activity: [Double] = []
        var logVolatility: [Double] = []
        var weight: [Double] = []
        var increment: [Double] = []
    }

    /// Appends bars starting in `from..<to` of `day` to `bars`. The whole session is
    /// drawn either way, so a bar never depends on the window it was asked for in.
    func appendBars(
        of day: SessionDay, walk: WalkDay, from: Int64, to: Int64,
        into bars: inout BarColumns, scratch: inout Scratch
    ) {
        let minutes = Int((day.close - day.open) / 60)
        guard minutes > 0 else { return }
        var rng = SplitMix64(seed: walk.intradaySeed)
        drawVariances(of: day, minutes: minutes, rng: &rng, into: &scratch)

        // Free minutes x, then conditioned on Σr = the session move: r = x − w·(Σx − move).
        let sessionMove = walk.logClose - walk.logOpen
        var drawnMove = 0.0
        scratch.increment.removeAll(keepingCapacity: true)
        for i in 0..<minutes {
            let x = (walk.sessionVariance * scratch.weight[i]).squareRoot() * rng.normal()
            scratch.increment.append(x)
            drawnMove += x
        }
        let correction = drawnMove - sessionMove

        let tick = instrument.tickSize
        let volumeScale = profile.minuteVolume * (walk.sessionVariance / longRunVariance).squareRoot()
        var logPrice = walk.logOpen
        var previousPrice = profile.basePrice * exp(logPrice)
        var previousClose = max(tick, instrument.roundToTick(previousPrice))
        for i in 0..<minutes {
            logPrice += scratch.increment[i] - scratch.weight[i] * correction
            let price = profile.basePrice * exp(logPrice)
            let variance = price * price * walk.sessionVariance * scratch.weight[i]
            let o = previousClose
            let c = max(tick, instrument.roundToTick(price))
            let (high, low) = Self.extremes(from: previousPrice, to: price, variance: variance, rng: &rng)
            // Inward: a traded high is a price the path reached. Rounding it to the nearest
            // tick would let a stop or target half a tick beyond the path fill.
            let h = instrument.roundToTick(high, .down)
            let l = max(tick, instrument.roundToTick(low, .up))
            let v = max(1, (volumeScale * pow(scratch.activity[i], IntradayShape.volumeExponent) * exp(0.25 * scratch.logVolatility[i] + 0.4 * rng.normal() - 0.16)).rounded())
            previousClose = c
            previousPrice = price
            let t = day.open + Int64(i) * 60
            if t >= from, t < to { bars.append(t, o, max(h, o, c), min(l, o, c), c, v) }
        }
    }

    /// The high and low of a Brownian path over one minute that starts at `a` and ends at
    /// `b`, drawn from their exact law given the ends: P(max > m) = exp(−2(m − a)(m − b)/σ²).
    /// Wicks drawn independently of the close would make a touched stop a worse fill than
    /// the path justifies (a cost for stops, a gift for limits); these do not.
    static func extremes(from a: Double, to b: Double, variance: Double, rng: inout SplitMix64) -> (high: Double, low: Double) {
        let squared = (b - a) * (b - a)
        let up = (squared - 2 * variance * log(1 - rng.uniform())).squareRoot()
        let down = (squared - 2 * variance * log(1 - rng.uniform())).squareRoot()
        return ((a + b + up) / 2, (a + b - down) / 2)
    }

    /// Each minute's share of the session's variance (`scratch.weight`, summing to 1):
    /// the U shape squared, times exp of the log-variance process, times news.
    private func drawVariances(of day: SessionDay, minutes: Int, rng: inout SplitMix64, into scratch: inout Scratch) {
        let phi = Self.volatilityPersistence, dispersion = Self.volatilityDispersion
        let innovation = dispersion * (1 - phi * phi).squareRoot()
        scratch.activity.removeAll(keepingCapacity: true)
        scratch.logVolatility.removeAll(keepingCapacity: true)
        scratch.weight.removeAll(keepingCapacity: true)
        var h = dispersion * rng.normal()
        var total = 0.0
        for i in 0..<minutes {
            if i > 0 { h = phi * h + innovation * rng.normal() }
            let a = IntradayShape.activity(at: day.open + Int64(i) * 60, in: day)
            let news = rng.uniform() < Self.newsChance ? Self.newsVariance : 1
            let w = a * a * exp(h) * news
            scratch.activity.append(a)
            scratch.logVolatility.append(h)
            scratch.weight.append(w)
            total += w
        }
        for i in 0..<minutes { scratch.weight[i] /= total }
    }
}
