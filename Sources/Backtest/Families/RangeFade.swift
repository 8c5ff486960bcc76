import Market

/// Range fade: after the window's first `range_minutes` set a range, fade a bar that
/// pokes outside it and closes back inside. Rules: docs/archetypes.md#range-fade.
struct RangeFadeParams: FamilyParameters {
    static let familySpecs: [ParamSpec] = [
        ParamSpec(name: "range_minutes", bound: .integer(5...240),
                  meaning: "the range is the high and low of the window's first range_minutes"),
        ParamSpec(name: "stop_buffer_ticks", bound: .integer(0...200),
                  meaning: "stop this many ticks beyond the extreme of the poking bar"),
        ParamSpec(name: "target_fraction", bound: .real(0.1...1),
                  meaning: "target this fraction of the range height back from the faded edge (0.5 = middle)"),
    ]

    let rules: TradingRules
    let rangeMinutes: Int
    let stopBufferTicks: Int
    let targetFraction: Double

    init(_ values: ParamValues) {
        rules = TradingRules(values)
        rangeMinutes = values.int("range_minutes")
        stopBufferTicks = values.int("stop_buffer_ticks")
        targetFraction = values.number("target_fraction")
    }
}

struct RangeFadeStrategy: Strategy {
    let params: RangeFadeParams
    let tickSize: Double
    private var windowOpen: Int64 = 0
    private var rangeEnd: Int64 = 0
    private var rangeHigh = -Double.infinity
    private var rangeLow = Double.infinity

    init(_ params: RangeFadeParams, tickSize: Double) {
        self.params = params
        self.tickSize = tickSize
    }

    /// The range is rebuilt from window bars each session.
    var ignoresBarsOutsideWindow: Bool { true }

    mutating func beginSession(_ session: SessionContext) {
        windowOpen = session.windowOpen
        rangeEnd = session.windowOpen + Int64(params.rangeMinutes) * 60
        rangeHigh = -.infinity
        rangeLow = .infinity
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
        guard height > 0, position.canEnter else { return .hold }
        let close = bars.close
        let buffer = Double(params.stopBufferTicks) * tickSize
        if bars.high > rangeHigh && close < rangeHigh && close > rangeLow {
            return .enter(EntryOrder(side: .short, stop: .price(bars.high + buffer),
                                     target: .price(rangeHigh - params.targetFraction * height),
                                     reason: EntryReason(.rangeFadeHigh, bars.high, rangeHigh)))
        }
        if bars.low < rangeLow && close > rangeLow && close < rangeHigh {
            return .enter(EntryOrder(side: .long, stop: .price(bars.low - buffer),
                                     target: .price(rangeLow + params.targetFraction * height),
                                     reason: EntryReason(.rangeFadeLow, bars.low, rangeLow)))
        }
        return .hold
    }
}
