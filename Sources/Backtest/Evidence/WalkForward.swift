import Market

/// How a baseline is split into walk-forward folds (docs/evidence.md).
public struct WalkForwardSpec: Sendable, Codable, Equatable {
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Fold i trains on every session before its test block.
        case anchored
        /// Fold i trains on the one block just before its test block.
        case rolling
    }

    /// Test folds; the sessions are cut into `folds + 1` equal blocks and block 0 is
    /// never tested. Fewer sessions than blocks lower the folds (to one per session).
    public var folds: Int
    public var mode: Mode
    /// Configurations tried in the bot's lineage, for the deflated Sharpe ratio.
    public var trials: Int
    public var resamples: Int
    /// Sessions per bootstrap block (5: a trading week).
    public var blockLength: Int

    public init(folds: Int = 4, mode: Mode = .anchored, trials: Int = 1, resamples: Int = 2000, blockLength: Int = 5) {
        self.folds = folds
        self.mode = mode
        self.trials = trials
        self.resamples = resamples
        self.blockLength = blockLength
    }

    enum CodingKeys: String, CodingKey {
        case folds, mode, trials, resamples, blockLength = "block_length"
    }
}

/// A contiguous run of sessions of the baseline and its metrics.
public struct SessionSlice: Sendable, Codable, Equatable {
    /// Trade dates, "YYYY-MM-DD", `to` exclusive.
    public let from: String
    public let to: String
    public let sessions: Int
    public let bars: Int
    public let metrics: Metrics
}

public struct Fold: Sendable, Codable, Equatable {
    public let fold: Int
    public let inSample: SessionSlice
    public let outOfSample: SessionSlice

    enum CodingKeys: String, CodingKey {
        case fold, inSample = "in_sample", outOfSample = "out_of_sample"
    }
}

/// What a walk-forward baseline adds to the out-of-sample aggregate's result.
public struct WalkForwardEvidence: Sendable, Codable, Equatable {
    /// The spec as run (`folds` lowered when the sessions were too few).
    public let spec: WalkForwardSpec
    /// The whole baseline: every session, in-sample and out-of-sample.
    public let window: SessionSlice
    public let folds: [Fold]
    /// Of the out-of-sample aggregate's daily PnL.
    public let intervals: BlockBootstrap
    public let deflatedSharpe: DeflatedSharpe

    enum CodingKeys: String, CodingKey {
        case spec, window, folds, intervals, deflatedSharpe = "deflated_sharpe"
    }
}

/// A walk-forward baseline: the bot's own parameters (nothing is fitted inside the
/// baseline) simulated once over every session, so indicators stay warm across fold
/// boundaries as they would in forward trading; the sessions are cut into
/// `folds + 1` blocks, fold i tests block i (i = 1…folds) and reports its
/// in-sample span beside it; the out-of-sample aggregate is the concatenation of
/// the test blocks — one contiguous span, summarised like any backtest.
public enum WalkForward {
    /// The out-of-sample aggregate as a `BacktestResult` whose `evidence` holds the
    /// folds, the bootstrap intervals and the deflated Sharpe ratio.
    /// `detail` applies to the aggregate; the folds are always summarised as figures.
    public static func run(_ request: BacktestRequest, spec: WalkForwardSpec,
                           detail: ResultDetail = .full) throws(BacktestError) -> BacktestResult {
        guard spec.folds >= 1, spec.resamples >= 0, spec.blockLength >= 1, spec.trials >= 1 else {
            throw BacktestError(code: "INVALID_WALK_FORWARD",
                                message: "folds, trials and the bootstrap block length must be ≥ 1 and resamples ≥ 0",
                                suggestedFix: "use e.g. 4 folds, 2000 resamples, blocks of 5 sessions")
        }
        let simulation = try Backtester.simulation(request)
        let days = simulation.tradableDays
        guard days.count >= 2 else {
            throw BacktestError(code: "TOO_FEW_SESSIONS",
                                message: "walk-forward needs at least 2 tradable sessions, the bars hold \(days.count)",
                                suggestedFix: "widen the window (baseline_trading_days) or use data that covers more sessions")
        }
        var spec = spec
        spec.folds = min(spec.folds, days.count - 1)
        let blocks = spec.folds + 1
        // Block j holds tradable sessions [j·n/B, (j+1)·n/B); as planned days it runs
        // from its first session to the next block's first (untradable days ride along).
        func start(_ block: Int) -> Int {
            block == 0 ? 0 : block == blocks ? simulation.plan.count : days[block * days.count / blocks]
        }
        func slice(_ from: Int, _ to: Int) -> SessionSlice {
            summary(simulation.result(days: start(from)..<start(to), detail: .metrics))
        }
        let folds = (1...spec.folds).map { i in
            Fold(fold: i, inSample: slice(spec.mode == .anchored ? 0 : i - 1, i), outOfSample: slice(i, i + 1))
        }
        let whole = simulation.result(days: simulation.plan.indices, detail: .metrics)
        let outOfSampleDays = start(1)..<simulation.plan.count
        let aggregate = simulation.result(days: outOfSampleDays, detail: detail)

        var perDay = [BlockBootstrap.Day](repeating: .init(), count: simulation.plan.count)
        for record in simulation.output.trades where outOfSampleDays.contains(record.day) {
            // Rounded as the result's trades are, so the intervals bracket the reported figures.
            let net = TradeMoney(record, instrument: request.instrument, costs: request.costs).net
            perDay[record.day].trades += 1
            if net > 0 { perDay[record.day].grossProfit += net } else { perDay[record.day].grossLoss -= net }
        }
        let tested = days.filter(outOfSampleDays.contains)
        for d in tested { perDay[d].pnl = cents(simulation.output.dailyPnL[d]) }
        let sessions = tested.map { perDay[$0] }
        let seed = SplitMix64.hash(aggregate.provenance.paramsHash + aggregate.provenance.barFingerprint
            + aggregate.provenance.windowFrom)
        let intervals = BlockBootstrap(days: sessions, startingEquity: request.startingEquity,
                                       estimates: aggregate.metrics, resamples: spec.resamples,
                                       blockLength: spec.blockLength, seed: seed)
        let deflated = DeflatedSharpe(returns: sessions.map { $0.pnl / request.startingEquity }, trials: spec.trials)
        let evidence = WalkForwardEvidence(spec: spec, window: summary(whole), folds: folds, intervals: intervals,
                                           deflatedSharpe: deflated)
        return aggregate.with(evidence: evidence)
    }

    private static func summary(_ result: BacktestResult) -> SessionSlice {
        SessionSlice(from: result.provenance.windowFrom, to: result.provenance.windowTo,
                     sessions: result.provenance.sessionsTested, bars: result.provenance.barsTested,
                     metrics: result.metrics)
    }
}
