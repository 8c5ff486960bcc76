import Market

/// Moving-average trend: EMA crossover, or a pullback to the fast EMA inside a
/// trend. Volatility for stops is an ATR (Wilder, 14 bars).
/// Rules: docs/archetypes.md#moving-average-trend.
struct MovingAverageTrendParams: FamilyParameters {
    static let familySpecs: [ParamSpec] = [
        ParamSpec(name: "variant", bound: .choice(["crossover", "pullback"]),
                  meaning: "enter on a fast/slow EMA cross, or on a pullback to the fast EMA in the trend"),
        ParamSpec(name: "fast", bound: .integer(2...200), meaning: "fast EMA period in bars"),
        ParamSpec(name: "slow", bound: .integer(3...1000), meaning: "slow EMA period in bars (> fast)"),
        ParamSpec(name: "stop_atr", bound: .real(0.25...10), meaning: "stop distance from the fill in ATRs"),
        ParamSpec(name: "target_r", bound: .real(0...10),
                  meaning: "target distance as a multiple of the stop distance (0 = no target)"),
    ]

    static let atrPeriod = 14.0

    let rules: TradingRules
    let pullback: Bool
    let fast: Int
    let slow: Int
    let stopATR: Double
    let targetR: Double

    init(_ values: ParamValues) {
        rules = TradingRules(values)
        pullback = values.text("variant") == "pullback"
        fast = values.int("fast")
        slow = values.int("slow")
        stopATR = values.number("stop_atr")
        targetR = values.number("target_r")
    }
}

struct MovingAverageTrendStrategy: Strategy {
    let params: MovingAverageTrendParams
    private let fastAlpha: Double
    private let slowAlpha: Double
    private var fastEMA = 0.0
    private var slowEMA = 0.0
    private var atr = 0.0
    private var previousClose = 0.0
    private var seen = 0

    init(_ params: MovingAverageTrendParams) {
        self.params = params
        fastAlpha = 2 / (Double(params.fast) + 1)
        slowAlpha = 2 / (Double(params.slow) + 1)
    }

    mutating func beginSession(_ session: SessionContext) {}

    @inline(__always)
    mutating func onBarClose(_ bars: ClosedBars, _ position: PositionView) -> Decision {
        let close = bars.close
        let previousSpread = fastEMA - slowEMA
        if seen == 0 {
            // Seeded with the first close; the ATR with the first bar's range.
            fastEMA = close
            slowEMA = close
            atr = bars.high - bars.low
        } else {
            let trueRange = max(bars.high - bars.low, abs(bars.high - previousClose), abs(bars.low - previousClose))
            atr += (trueRange - atr) / MovingAverageTrendParams.atrPeriod
            fastEMA += fastAlpha * (close - fastEMA)
            slowEMA += slowAlpha * (close - slowEMA)
        }
        previousClose = close
        seen += 1
        guard seen > params.slow, atr > 0 else { return .hold }
        let spread = fastEMA - slowEMA
        let crossedUp = previousSpread <= 0 && spread > 0
        let crossedDown = previousSpread >= 0 && spread < 0
        if !params.pullback {
            if position.direction > 0 && crossedDown { return .exit }
            if position.direction < 0 && crossedUp { return .exit }
        }
        guard position.canEnter else { return .hold }
        let goLong: Bool
        let goShort: Bool
        if params.pullback {
            goLong = spread > 0 && bars.low <= fastEMA && close > fastEMA && close > slowEMA
            goShort = spread < 0 && bars.high >= fastEMA && close < fastEMA && close < slowEMA
        } else {
            goLong = crossedUp
            goShort = crossedDown
        }
        let stopDistance = params.stopATR * atr
        let target: Level = params.targetR > 0 ? .distance(params.targetR * stopDistance) : .none
        if goLong {
            let reason = params.pullback ? EntryReason(.pullbackLong, close, fastEMA) : EntryReason(.emaCrossUp, fastEMA, slowEMA)
            return .enter(EntryOrder(side: .long, stop: .distance(stopDistance), target: target, reason: reason))
        }
        if goShort {
            let reason = params.pullback ? EntryReason(.pullbackShort, close, fastEMA) : EntryReason(.emaCrossDown, fastEMA, slowEMA)
            return .enter(EntryOrder(side: .short, stop: .distance(stopDistance), target: target, reason: reason))
        }
        return .hold
    }
}
