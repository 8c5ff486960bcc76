import Market

/// Opening gap versus the prior session's last window close: fade it back toward
/// that close, or go with it once it holds. Rules: docs/archetypes.md#opening-gap.
struct GapParams: FamilyParameters {
    static let familySpecs: [ParamSpec] = [
        ParamSpec(name: "variant", bound: .choice(["fade", "go"]),
                  meaning: "trade toward the prior close (fade) or in the gap's direction (go)"),
        ParamSpec(name: "min_gap_ticks", bound: .integer(1...2000), meaning: "smallest |gap| traded, in ticks"),
        ParamSpec(name: "max_gap_ticks", bound: .integer(1...20000), meaning: "largest |gap| traded, in ticks"),
        ParamSpec(name: "confirm_minutes", bound: .integer(1...240),
                  meaning: "go: decide at the close of the first bar ending this long after the window opens"),
        ParamSpec(name: "stop_fraction", bound: .real(0.1...3),
                  meaning: "fade: stop beyond today's open by this fraction of the gap; go: stop distance from the fill"),
        ParamSpec(name: "target_r", bound: .real(0...10),
                  meaning: "go: target distance from the fill in gaps (0 = none); fade: unused (target is the prior close)"),
    ]

    let rules: TradingRules
    let fade: Bool
    let minGapTicks: Int
    let maxGapTicks: Int
    let confirmMinutes: Int
    let stopFraction: Double
    let targetR: Double

    init(_ values: ParamValues) {
        rules = TradingRules(values)
        fade = values.text("variant") == "fade"
        minGapTicks = values.int("min_gap_ticks")
        maxGapTicks = values.int("max_gap_ticks")
        confirmMinutes = values.int("confirm_minutes")
        stopFraction = values.number("stop_fraction")
        targetR = values.number("target_r")
    }
}

struct GapStrategy: Strategy {
    let params: GapParams
    let tickSize: Double
    private var windowOpen: Int64 = 0
    private var windowClose: Int64 = 0
    private var barSeconds: Int64 = 60
    private var decisionTime: Int64 = 0
    /// Close of the last window bar seen, and the value it had when today began.
    private var lastWindowClose = Double.nan
    private var priorClose = Double.nan
    private var todayOpen = Double.nan
    private var decided = false

    init(_ params: GapParams, tickSize: Double) {
        self.params = params
        self.tickSize = tickSize
    }

    /// Only window bars move it (the prior close is the last window close).
    var ignoresBarsOutsideWindow: Bool { true }

    mutating func beginSession(_ session: SessionContext) {
        priorClose = lastWindowClose
        todayOpen = .nan
        decided = false
        windowOpen = session.windowOpen
        windowClose = session.windowClose
        barSeconds = session.barSeconds
        decisionTime = params.fade ? 0 : session.windowOpen + Int64(params.confirmMinutes) * 60
    }

    @inline(__always)
    mutating func onBarClose(_ bars: ClosedBars, _ position: PositionView) -> Decision {
        let t = bars.time
        guard t >= windowOpen, t + barSeconds <= windowClose else { return .hold }
        lastWindowClose = bars.close
        if todayOpen.isNaN { todayOpen = bars.open }
        // One decision per day: the first window bar (fade) or the first bar closing
        // at or after the confirmation time (go).
        guard !decided, t + barSeconds >= decisionTime else { return .hold }
        decided = true
        guard !priorClose.isNaN, position.canEnter else { return .hold }
        let gap = todayOpen - priorClose
        let gapTicks = abs(gap) / tickSize
        guard gapTicks >= Double(params.minGapTicks) - 1e-9, gapTicks <= Double(params.maxGapTicks) + 1e-9 else {
            return .hold
        }
        let close = bars.close
        if params.fade {
            let side: Side = gap > 0 ? .short : .long
            return .enter(EntryOrder(side: side, stop: .price(todayOpen + params.stopFraction * gap),
                                     target: .price(priorClose),
                                     reason: EntryReason(gap > 0 ? .gapFadeAbove : .gapFadeBelow, todayOpen, priorClose)))
        }
        let target: Level = params.targetR > 0 ? .distance(params.targetR * abs(gap)) : .none
        let stop = Level.distance(params.stopFraction * abs(gap))
        if gap > 0 && close > todayOpen {
            return .enter(EntryOrder(side: .long, stop: stop, target: target, reason: EntryReason(.gapGoAbove, close, todayOpen)))
        }
        if gap < 0 && close < todayOpen {
            return .enter(EntryOrder(side: .short, stop: stop, target: target, reason: EntryReason(.gapGoBelow, close, todayOpen)))
        }
        return .hold
    }
}
