import Market

/// Channel breakout: a Donchian channel of the previous `lookback` bars, or the
/// prior session's window high and low. Rules: docs/archetypes.md#channel-breakout.
struct ChannelBreakoutParams: FamilyParameters {
    static let familySpecs: [ParamSpec] = [
        ParamSpec(name: "variant", bound: .choice(["donchian", "prior_day"]),
                  meaning: "channel of the previous lookback bars, or the prior session's window high/low"),
        ParamSpec(name: "lookback", bound: .integer(5...1000), meaning: "donchian: bars in the channel; prior_day: unused"),
        ParamSpec(name: "stop_fraction", bound: .real(0.05...2),
                  meaning: "stop distance from the fill as a fraction of the channel width"),
        ParamSpec(name: "target_r", bound: .real(0...10),
                  meaning: "target distance as a multiple of the stop distance (0 = no target)"),
    ]

    let rules: TradingRules
    let priorDay: Bool
    let lookback: Int
    let stopFraction: Double
    let targetR: Double

    init(_ values: ParamValues) {
        rules = TradingRules(values)
        priorDay = values.text("variant") == "prior_day"
        lookback = values.int("lookback")
        stopFraction = values.number("stop_fraction")
        targetR = values.number("target_r")
    }
}

struct ChannelBreakoutStrategy: Strategy {
    let params: ChannelBreakoutParams
    private var windowOpen: Int64 = 0
    private var windowClose: Int64 = 0
    private var barSeconds: Int64 = 60
    private var seen = 0
    // Prior-day variant: this session's window extremes so far and the last complete ones.
    private var todayHigh = -Double.infinity
    private var todayLow = Double.infinity
    private var priorHigh = -Double.infinity
    private var priorLow = Double.infinity
    private var longArmed = true
    private var shortArmed = true

    init(_ params: ChannelBreakoutParams) {
        self.params = params
    }

    mutating func beginSession(_ session: SessionContext) {
        if todayHigh > todayLow {
            priorHigh = todayHigh
            priorLow = todayLow
        }
        todayHigh = -.infinity
        todayLow = .infinity
        windowOpen = session.windowOpen
        windowClose = session.windowClose
        barSeconds = session.barSeconds
        longArmed = true
        shortArmed = true
    }

    @inline(__always)
    mutating func onBarClose(_ bars: ClosedBars, _ position: PositionView) -> Decision {
        seen += 1
        let t = bars.time
        let inWindow = t >= windowOpen && t + barSeconds <= windowClose
        let upper: Double
        let lower: Double
        if params.priorDay {
            if inWindow {
                todayHigh = max(todayHigh, bars.high)
                todayLow = min(todayLow, bars.low)
            }
            upper = priorHigh
            lower = priorLow
        } else {
            // The channel excludes the bar that just closed, so a close can break it.
            guard seen > params.lookback, position.canEnter else { return .hold }
            var hi = -Double.infinity
            var lo = Double.infinity
            for j in (bars.index - params.lookback)..<bars.index {
                hi = max(hi, bars.high(j))
                lo = min(lo, bars.low(j))
            }
            upper = hi
            lower = lo
        }
        let width = upper - lower
        guard width > 0 else { return .hold }
        let close = bars.close
        var goLong = false
        var goShort = false
        if params.priorDay {
            // Each side fires once, then re-arms after a close back inside the channel.
            if close > upper { goLong = longArmed; longArmed = false } else { longArmed = true }
            if close < lower { goShort = shortArmed; shortArmed = false } else { shortArmed = true }
        } else {
            goLong = close > upper
            goShort = close < lower
        }
        guard position.canEnter else { return .hold }
        let stopDistance = params.stopFraction * width
        let target: Level = params.targetR > 0 ? .distance(params.targetR * stopDistance) : .none
        if goLong {
            let rule: EntryReason.Rule = params.priorDay ? .priorDayBreakoutAbove : .channelBreakoutAbove
            return .enter(EntryOrder(side: .long, stop: .distance(stopDistance), target: target,
                                     reason: EntryReason(rule, close, upper)))
        }
        if goShort {
            let rule: EntryReason.Rule = params.priorDay ? .priorDayBreakoutBelow : .channelBreakoutBelow
            return .enter(EntryOrder(side: .short, stop: .distance(stopDistance), target: target,
                                     reason: EntryReason(rule, close, lower)))
        }
        return .hold
    }
}
