import Market

/// Why a strategy entered: the rule that admitted the trade and the two numbers it
/// compared at the signal bar's close. The simulator's loop carries only these
/// numbers; the words are made once per reported trade (`Trade.entryReason`), e.g.
/// "breakout: close 5012.50 > range high 5012.25".
struct EntryReason: Equatable {
    enum Rule {
        case rangeBreakoutAbove, rangeBreakoutBelow
        case rangeRetestAbove, rangeRetestBelow
        case channelBreakoutAbove, channelBreakoutBelow
        case priorDayBreakoutAbove, priorDayBreakoutBelow
        case gapFadeAbove, gapFadeBelow
        case gapGoAbove, gapGoBelow
        case zscoreBelow, zscoreAbove
        case vwapBelow, vwapAbove
        case emaCrossUp, emaCrossDown
        case pullbackLong, pullbackShort
        case rangeFadeHigh, rangeFadeLow
    }

    let rule: Rule
    /// What the rule looked at (a price, or a z-score for the mean-reversion rules).
    let value: Double
    /// What it was compared with.
    let level: Double

    init(_ rule: Rule, _ value: Double, _ level: Double) {
        self.rule = rule
        self.value = value
        self.level = level
    }

    /// The rule in words with its numbers, always "what op threshold" so a reader (and
    /// a test) can check the comparison; prices at the instrument's tick precision.
    func text(_ instrument: Instrument) -> String {
        // Computed on use: each rule words only the numbers it shows (formatting all
        // five for every trade was most of this function's time).
        var v: String { price(value, instrument) }
        var l: String { price(level, instrument) }
        var z: String { fixed(value, 2) }
        var up: String { fixed(level, 2) }
        var down: String { fixed(-level, 2) }
        switch rule {
        case .rangeBreakoutAbove: return "breakout: close \(v) > range high \(l)"
        case .rangeBreakoutBelow: return "breakout: close \(v) < range low \(l)"
        case .rangeRetestAbove: return "retest: low \(v) ≤ broken range high \(l), close above it"
        case .rangeRetestBelow: return "retest: high \(v) ≥ broken range low \(l), close below it"
        case .channelBreakoutAbove: return "channel breakout: close \(v) > channel high \(l)"
        case .channelBreakoutBelow: return "channel breakout: close \(v) < channel low \(l)"
        case .priorDayBreakoutAbove: return "prior-day breakout: close \(v) > prior-day high \(l)"
        case .priorDayBreakoutBelow: return "prior-day breakout: close \(v) < prior-day low \(l)"
        case .gapFadeAbove: return "gap fade: open \(v) > prior close \(l), short toward it"
        case .gapFadeBelow: return "gap fade: open \(v) < prior close \(l), long toward it"
        case .gapGoAbove: return "gap and go: close \(v) > today's open \(l) after a gap up"
        case .gapGoBelow: return "gap and go: close \(v) < today's open \(l) after a gap down"
        case .zscoreBelow: return "z-score: z \(z) ≤ \(down) (entry_z \(up)) below the rolling mean"
        case .zscoreAbove: return "z-score: z \(z) ≥ \(up) (entry_z) above the rolling mean"
        case .vwapBelow: return "vwap reversion: z \(z) ≤ \(down) (entry_z \(up)) below VWAP"
        case .vwapAbove: return "vwap reversion: z \(z) ≥ \(up) (entry_z) above VWAP"
        case .emaCrossUp: return "ema cross: fast EMA \(v) > slow EMA \(l), crossed up on this bar"
        case .emaCrossDown: return "ema cross: fast EMA \(v) < slow EMA \(l), crossed down on this bar"
        case .pullbackLong: return "pullback: close \(v) > fast EMA \(l) after the low touched it, in an uptrend"
        case .pullbackShort: return "pullback: close \(v) < fast EMA \(l) after the high touched it, in a downtrend"
        case .rangeFadeHigh: return "range fade: high \(v) > range high \(l), close back inside"
        case .rangeFadeLow: return "range fade: low \(v) < range low \(l), close back inside"
        }
    }

    private func price(_ x: Double, _ instrument: Instrument) -> String {
        fixed(x, instrument.priceDecimals)
    }

    /// `x` rounded to `decimals` places, "-1666.25"; integer arithmetic, because a
    /// walk-forward run words every trade of every fold and `String(format:)` made that
    /// a quarter of a research cell's time.
    private func fixed(_ x: Double, _ decimals: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let units = Int64((x.magnitude * Double(scale)).rounded())
        let sign = x < 0 && units != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(units) }
        let fraction = String(units % scale)
        return sign + String(units / scale) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}
