import Market

/// Opening-range breakout, with an optional retest, and the initial-balance variant
/// (a 60-minute range). Rules: docs/archetypes.md#opening-range-breakout.
struct OpeningRangeParams: FamilyParameters {
    static let familySpecs: [ParamSpec] = [
        ParamSpec(name: "variant", bound: .choice(["breakout", "retest"]),
                  meaning: "enter on the breakout close, or on the first retest of the broken level"),
        ParamSpec(name: "range_minutes", bound: .integer(1...240),
                  meaning: "the range is the high and low of the window's first range_minutes"),
        ParamSpec(name: "direction", bound: .choice(["both", "long", "short"]), meaning: "sides traded"),
        ParamSpec(name: "stop_fraction", bound: .real(0.1...1.5),
                  meaning: "stop sits this fraction of the range height beyond the broken level, back inside"),
        ParamSpec(name: "target_r", bound: .real(0...10),
                  meaning: "target distance from the fill in range heights (0 = no target)"),
    ]

    let rules: TradingRules
    let retest: Bool
    let rangeMinutes: Int
    let allowLong: Bool
    let allowShort: Bool
    let stopFraction: Double
    let targetR: Double

    init(_ values: ParamValues) {
        rules = TradingRules(values)
        retest = values.text("variant") == "retest"
        rangeMinutes = values.int("range_minutes")
        let direction = values.text("direction")
        allowLong = direction != "short"
        allowShort = direction != "long"
        stopFraction = values.number("stop_fraction")
        targetR = values.number("target_r")
    }
}

struct OpeningRangeStrategy: Strategy {
    let params: OpeningRangeParams
    private var windowOpen: Int64 = 0
    private var rangeEnd: Int64 = 0
    private var rangeHigh = -Double.infinity
    private var rangeLow = Double.infinity
    // Breakout variant: a side fires once, then re-arms after a close back inside.
    private var longArmed = true
    private var shortArmed = true
    // Retest variant: the level has been broken and not yet retested.
    private var brokeUp = false
    private var brokeDown = false

    init(_ params: OpeningRangeParams) {
        self.params = params
    }

    /// The range and the arming flags are rebuilt from window bars each session.
    var ignoresBarsOutsideWindow: Bool { true }

    mutating func beginSession(_ session: SessionContext) {
        windowOpen = session.windowOpen
        rangeEnd = session.windowOpen + Int64(params.rangeMinutes) * 60
        rangeHigh = -.infinity
        rangeLow = .infinity
        longArmed = true
        shortArmed = true
        brokeUp = false
        brokeDown = false
    }

    @inline(__always)
    mutating func onBarClose(_ bars: ClosedBars, _ position: PositionView) -> Decision {
        let t = bars.time
        if t < windowOpen { return .hold }
        if t < rangeEnd {
            rangeHigh = max(rangeHigh, bars.high)
            rangeLow = min(rangeLow, bars.low)
            return .hold
        }
        let height = rangeHigh - rangeLow
        guard height > 0 else { return .hold }  // no range bars, or a flat range: no trade today
        let close = bars.close
        var goLong = false
        var goShort = false
        if params.retest {
            if brokeUp {
                if close <= rangeHigh { brokeUp = false } else if bars.low <= rangeHigh { goLong = true; brokeUp = false }
            } else if close > rangeHigh {
                brokeUp = true
            }
            if brokeDown {
                if close >= rangeLow { brokeDown = false } else if bars.high >= rangeLow { goShort = true; brokeDown = false }
            } else if close < rangeLow {
                brokeDown = true
            }
        } else {
            if close > rangeHigh {
                goLong = longArmed
                longArmed = false
            } else {
                longArmed = true
            }
            if close < rangeLow {
                goShort = shortArmed
                shortArmed = false
            } else {
                shortArmed = true
            }
        }
        guard position.canEnter else { return .hold }
        let target: Level = params.targetR > 0 ? .distance(params.targetR * height) : .none
        if goLong && params.allowLong {
            let reason = params.retest ? EntryReason(.rangeRetestAbove, bars.low, rangeHigh)
                : EntryReason(.rangeBreakoutAbove, close, rangeHigh)
            return .enter(EntryOrder(side: .long, stop: .price(rangeHigh - params.stopFraction * height), target: target,
                                     reason: reason))
        }
        if goShort && params.allowShort {
            let reason = params.retest ? EntryReason(.rangeRetestBelow, bars.high, rangeLow)
                : EntryReason(.rangeBreakoutBelow, close, rangeLow)
            return .enter(EntryOrder(side: .short, stop: .price(rangeLow + params.stopFraction * height), target: target,
                                     reason: reason))
        }
        return .hold
    }
}
