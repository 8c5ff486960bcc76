import Market

/// Mean reversion to the session VWAP or to a rolling mean, measured in standard
/// deviations (z-score). Rules: docs/archetypes.md#mean-reversion.
struct MeanReversionParams: FamilyParameters {
    static let familySpecs: [ParamSpec] = [
        ParamSpec(name: "variant", bound: .choice(["vwap", "zscore"]),
                  meaning: "deviation from the window's VWAP, or from a rolling mean of closes"),
        ParamSpec(name: "lookback", bound: .integer(5...500),
                  meaning: "zscore: closes in the rolling mean and deviation; vwap: unused"),
        ParamSpec(name: "warmup_bars", bound: .integer(1...500),
                  meaning: "vwap: window bars needed before the first signal; zscore: unused"),
        ParamSpec(name: "entry_z", bound: .real(0.5...5), meaning: "enter when |z| reaches this"),
        ParamSpec(name: "exit_z", bound: .real(0...3),
                  meaning: "exit (SIGNAL) once z has come back to within exit_z of the mean on the entry side"),
        ParamSpec(name: "stop_sigma", bound: .real(0.25...10),
                  meaning: "stop distance from the fill in standard deviations at the signal"),
    ]

    let rules: TradingRules
    let rolling: Bool
    let lookback: Int
    let warmupBars: Int
    let entryZ: Double
    let exitZ: Double
    let stopSigma: Double

    init(_ values: ParamValues) {
        rules = TradingRules(values)
        rolling = values.text("variant") == "zscore"
        lookback = values.int("lookback")
        warmupBars = values.int("warmup_bars")
        entryZ = values.number("entry_z")
        exitZ = values.number("exit_z")
        stopSigma = values.number("stop_sigma")
    }
}

struct MeanReversionStrategy: Strategy {
    let params: MeanReversionParams
    private var windowOpen: Int64 = 0
    // VWAP sums since the window opened, typical price (h+l+c)/3 weighted by volume.
    private var volumeSum = 0.0
    private var priceVolumeSum = 0.0
    private var priceSquaredVolumeSum = 0.0
    private var windowBars = 0
    // Rolling sums of the last `lookback` closes, over every bar seen.
    private var rollingSum = 0.0
    private var rollingSquares = 0.0
    private var seen = 0

    init(_ params: MeanReversionParams) {
        self.params = params
    }

    /// The VWAP restarts at each window open; the rolling mean spans every bar.
    var ignoresBarsOutsideWindow: Bool { !params.rolling }

    mutating func beginSession(_ session: SessionContext) {
        windowOpen = session.windowOpen
        volumeSum = 0
        priceVolumeSum = 0
        priceSquaredVolumeSum = 0
        windowBars = 0
    }

    @inline(__always)
    mutating func onBarClose(_ bars: ClosedBars, _ position: PositionView) -> Decision {
        let close = bars.close
        // 1. Update the sums (every bar, or every window bar for VWAP).
        if params.rolling {
            let n = params.lookback
            if seen > 0 && seen % 4096 == 0 {
                // Re-sum exactly now and then so running-sum rounding cannot drift.
                rollingSum = 0
                rollingSquares = 0
                for j in (bars.index - min(seen, n) + 1)..<bars.index {
                    let x = bars.close(j)
                    rollingSum += x
                    rollingSquares += x * x
                }
                rollingSum += close
                rollingSquares += close * close
            } else {
                rollingSum += close
                rollingSquares += close * close
                if seen >= n {
                    let old = bars.close(bars.index - n)
                    rollingSum -= old
                    rollingSquares -= old * old
                }
            }
            seen += 1
            guard seen >= n else { return .hold }
        } else {
            guard bars.time >= windowOpen else { return .hold }
            let typical = (bars.high + bars.low + close) / 3
            let volume = bars.volume
            volumeSum += volume
            priceVolumeSum += typical * volume
            priceSquaredVolumeSum += typical * typical * volume
            windowBars += 1
            guard windowBars >= params.warmupBars, volumeSum > 0 else { return .hold }
        }
        // 2. Nothing to decide when flat and no entry would be accepted (most overnight bars).
        if position.isFlat && !position.canEnter { return .hold }
        let mean: Double
        let variance: Double
        if params.rolling {
            let count = Double(params.lookback)
            mean = rollingSum / count
            variance = rollingSquares / count - mean * mean
        } else {
            mean = priceVolumeSum / volumeSum
            variance = priceSquaredVolumeSum / volumeSum - mean * mean
        }
        // Cancellation in the sums leaves a tiny variance on flat prices; treat it as none.
        guard variance > mean * mean * 1e-14 else { return .hold }
        // 3. z = (close - mean) / σ, compared through squares: the same decisions without a
        // square root per bar (σ is taken only when an entry needs its stop distance).
        let deviation = close - mean
        let squared = deviation * deviation
        if position.direction > 0 {
            // z ≥ -exit_z
            return deviation >= 0 || squared <= params.exitZ * params.exitZ * variance ? .exit : .hold
        }
        if position.direction < 0 {
            // z ≤ exit_z
            return deviation <= 0 || squared <= params.exitZ * params.exitZ * variance ? .exit : .hold
        }
        // Flat, and an entry would be accepted: |z| ≥ entry_z.
        guard squared >= params.entryZ * params.entryZ * variance else { return .hold }
        let sigma = variance.squareRoot()
        let z = deviation / sigma
        let rule: EntryReason.Rule = params.rolling ? (z < 0 ? .zscoreBelow : .zscoreAbove) : (z < 0 ? .vwapBelow : .vwapAbove)
        return .enter(EntryOrder(side: deviation < 0 ? .long : .short, stop: .distance(params.stopSigma * sigma), target: .none,
                                 reason: EntryReason(rule, z, params.entryZ)))
    }
}
