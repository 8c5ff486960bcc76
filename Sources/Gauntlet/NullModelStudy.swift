import Backtest
import Dispatch
import Foundation
import Jobs
import Market
import MarketData

/// The null-model test of issue 10: on synthetic bars, which carry no edge by
/// construction, no starter archetype may earn a Sharpe ratio distinguishable from
/// nothing, and every one must still trade.
///
/// For each seed, each instrument's synthetic 1-minute bars are generated once over the
/// last `sessions` sessions ending on `end` (and resampled to 5 minutes where an
/// archetype trades those), and every archetype runs once with its default parameters
/// and zero costs (no commission, no slippage: gross PnL) over that plain window — no
/// walk-forward folds. A run's Sharpe is the engine's metric (daily PnL, √252).
/// Seeds run in parallel; results are gathered in seed order, so the report does not
/// depend on scheduling.
///
/// How to read it: one run on 60 sessions has a Sharpe SD of about √(252/60) ≈ 2, so
/// the mean of 200 seeds has a standard error of about 0.145 and ±0.25 is only about
/// 1.7 standard errors — with 20 archetypes a few fail by chance even on a perfect null
/// (the summary prints how many to expect from the measured SEs). And the Sharpe
/// estimator itself is biased when daily PnL is skewed, even at zero expected PnL:
/// E[mean / sd] ≈ −skewness / (2n) per day (×√252 annualised). `Centre.bootstrap`
/// measures that bias by resampling each run's own daily PnL after removing its mean.
/// (Multiplying each day's PnL by a random ±1 instead does not: the flipped PnL is
/// symmetric, so its mean Sharpe is exactly 0 whatever the skew — measured ≈ 0 ± 0.06
/// for every archetype over 200 seeds.)
struct NullModelStudy {
    /// What an archetype's mean Sharpe is compared with.
    enum Centre: String, CaseIterable, Sendable {
        /// Zero, as the issue states the test.
        case zero
        /// The mean Sharpe of the runs' own daily PnL with its mean removed and days
        /// resampled with replacement: what this archetype's Sharpe averages when its
        /// expected PnL is exactly zero but its daily PnL keeps its shape (skew, fat tails,
        /// idle days).
        case bootstrap
    }

    struct Configuration: Sendable {
        var seeds: Range<UInt64>
        var sessions: Int
        var end: CivilDate
        var tolerance: Double
        var centre: Centre
        var archetypes: [Archetype] = Archetypes.all
        /// Resamples per run for `Centre.bootstrap`.
        var resamplesPerRun = 20
    }

    /// One archetype on one seed's bars.
    struct Run: Sendable {
        let sharpe: Double
        let trades: Int
        let grossPnL: Double
        /// Σ over trades of gross PnL / (tick value × contracts).
        let grossTicks: Double
        let dailyPnL: [Double]
    }

    /// One archetype over all seeds.
    struct Row: Sendable {
        let slug: String
        let family: Family
        let instrument: String
        let timeframe: Timeframe
        let runs: Int
        let meanSharpe: Double
        let sharpeSD: Double
        let standardError: Double
        /// (mean − centre) / standard error.
        let z: Double
        let centre: Double
        let meanTrades: Double
        let grossTicksPerTrade: Double
        let grossPnLPerTrade: Double
        /// Mean gross PnL per run (USD) over its standard error across seeds: a test of
        /// zero expected PnL that, unlike the mean Sharpe, no skew can bias.
        let pnlZ: Double
        /// Skewness of daily PnL, pooled over runs (each run's days less its own mean).
        let dailySkewness: Double
        /// Mean Sharpe of the runs' demeaned, resampled daily PnL (see `Centre.bootstrap`),
        /// whichever centre the verdict uses.
        let bootstrapCentre: Double
        let sharpes: [Double]
        let failure: String?
    }

    struct Report: Sendable {
        let configuration: Configuration
        let rows: [Row]
        let windows: [String: BacktestWindow]
        let elapsedSeconds: Double

        var passed: Bool { rows.allSatisfy { $0.failure == nil } }

        /// Archetypes a perfect null would put outside the tolerance by chance alone,
        /// from each row's standard error (normal approximation).
        var expectedChanceFailures: Double {
            rows.reduce(0) { sum, row in
                row.standardError > 0 ? sum + erfc(configuration.tolerance / row.standardError / 2.0.squareRoot()) : sum
            }
        }
    }

    let configuration: Configuration

    func run(progress: @escaping @Sendable (String) -> Void) throws -> Report {
        let clock = DispatchTime.now().uptimeNanoseconds
        let config = configuration
        let plans = try config.archetypes.map { archetype -> Plan in
            guard let spec = Instruments.spec(archetype.instrument) else {
                throw CommandFailure(code: "UNKNOWN_INSTRUMENT", message: "\(archetype.slug) trades \(archetype.instrument)",
                                     suggestedFix: nil)
            }
            let params: ParamValues
            do throws(ParamsError) {
                params = try archetype.params(fromJSON: nil)
            } catch {
                throw CommandFailure(code: error.code.rawValue, message: error.message, suggestedFix: nil)
            }
            return Plan(archetype: archetype, instrument: spec, params: params,
                        window: StudyWindow.sessions(config.sessions, endingOn: config.end, session: spec.session))
        }

        let seeds = Array(config.seeds)
        let results = Slots<Result<[Run], any Error>>(count: seeds.count)
        let done = Counter()
        let step = max(1, seeds.count / 10)
        DispatchQueue.concurrentPerform(iterations: seeds.count) { i in
            results[i] = Result { try Self.runs(seed: seeds[i], plans: plans) }
            let finished = done.increment()
            if finished % step == 0 || finished == seeds.count {
                progress("\(finished)/\(seeds.count) seeds")
            }
        }
        // In seed order: the first failure wins, whichever thread met it first.
        var bySeed: [[Run]] = []
        for result in results.values {
            bySeed.append(try result!.get())
        }

        var rows: [Row] = []
        for (a, plan) in plans.enumerated() {
            rows.append(row(plan, runs: bySeed.map { $0[a] }, seeds: seeds))
        }
        var windows: [String: BacktestWindow] = [:]
        for plan in plans { windows[plan.instrument.symbol] = plan.window }
        return Report(configuration: config, rows: rows, windows: windows,
                      elapsedSeconds: Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9)
    }

    // MARK: - One seed

    /// An archetype with what it runs on.
    struct Plan: Sendable {
        let archetype: Archetype
        let instrument: Instrument
        let params: ParamValues
        let window: BacktestWindow
    }

    private static let zeroCosts = CostModel(commissionPerSide: 0, slippageTicks: 0)

    /// Every archetype on one seed's bars: each instrument's minutes generated once,
    /// each wider timeframe resampled once.
    static func runs(seed: UInt64, plans: [Plan]) throws -> [Run] {
        let source = SyntheticBarSource(seed: seed)
        var minutes: [String: BarSeries] = [:]
        var resampled: [String: BarSeries] = [:]
        var runs: [Run] = []
        for plan in plans {
            let spec = plan.instrument, width = plan.archetype.timeframe
            let key = "\(spec.symbol)/\(width.rawValue)"
            if resampled[key] == nil {
                if minutes[spec.symbol] == nil {
                    do throws(MarketDataError) {
                        minutes[spec.symbol] = try source.fetchBars(BarRequest(
                            instrument: spec, timeframe: .m1, from: Date(timeIntervalSince1970: Double(plan.window.from)),
                            to: Date(timeIntervalSince1970: Double(plan.window.to)))).bars
                    } catch {
                        throw CommandFailure(code: error.code, message: "seed \(seed): \(error.message)",
                                             suggestedFix: error.suggestedFix)
                    }
                }
                do {
                    resampled[key] = try minutes[spec.symbol]!.resampled(to: width, session: spec.session)
                } catch {
                    throw CommandFailure(code: "TIMEFRAME_MISMATCH", message: error.description, suggestedFix: nil)
                }
            }
            let request = BacktestRequest(
                archetype: plan.archetype, params: plan.params, instrument: spec, bars: resampled[key]!,
                dataSource: "synthetic", costs: zeroCosts, windowFrom: plan.window.firstTradeDate,
                windowTo: plan.window.endTradeDate,
                // Provenance only; hashing every run's bars would cost more than running them.
                barFingerprint: "synthetic seed \(seed)")
            let result: BacktestResult
            do {
                result = try Backtester.run(request)
            } catch {
                throw CommandFailure(code: error.code, message: "seed \(seed), \(plan.archetype.slug): \(error.message)",
                                     suggestedFix: error.suggestedFix)
            }
            let ticks = result.trades.reduce(0.0) { $0 + $1.grossPnL / (spec.tickValue * Double($1.contracts)) }
            runs.append(Run(sharpe: result.metrics.sharpe, trades: result.metrics.totalTrades,
                            grossPnL: result.trades.reduce(0) { $0 + $1.grossPnL }, grossTicks: ticks,
                            dailyPnL: result.daily.map(\.pnl)))
        }
        return runs
    }

    // MARK: - Summary

    private func row(_ plan: Plan, runs: [Run], seeds: [UInt64]) -> Row {
        let config = configuration
        let n = Double(runs.count)
        let sharpes = runs.map(\.sharpe)
        let mean = sharpes.reduce(0, +) / n
        let sd = runs.count >= 2 ? (sharpes.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot() : 0
        let se = sd / n.squareRoot()
        let trades = runs.reduce(0) { $0 + $1.trades }
        let ticks = runs.reduce(0) { $0 + $1.grossTicks }
        let pnl = runs.reduce(0) { $0 + $1.grossPnL }
        let meanPnL = pnl / n
        let pnlSD = runs.count >= 2
            ? (runs.reduce(0) { $0 + ($1.grossPnL - meanPnL) * ($1.grossPnL - meanPnL) } / (n - 1)).squareRoot() : 0

        // Daily PnL with each run's own mean removed: the shape of a zero-edge version.
        let demeaned = runs.map { run -> [Double] in
            let m = run.dailyPnL.isEmpty ? 0 : run.dailyPnL.reduce(0, +) / Double(run.dailyPnL.count)
            return run.dailyPnL.map { $0 - m }
        }
        var m2 = 0.0, m3 = 0.0, count = 0.0
        for days in demeaned {
            for x in days {
                m2 += x * x
                m3 += x * x * x
                count += 1
            }
        }
        let skew = count > 0 && m2 > 0 ? (m3 / count) / pow(m2 / count, 1.5) : 0

        var generator = SplitMix64(seed: SplitMix64.hash("nullmodel " + plan.archetype.slug) ^ SplitMix64.mix(seeds.first ?? 0))
        var resampledSharpe = 0.0, resamples = 0.0
        for days in demeaned where !days.isEmpty {
            for _ in 0..<config.resamplesPerRun {
                let draw = (0..<days.count).map { _ in days[Int(generator.next() % UInt64(days.count))] }
                resampledSharpe += Self.sharpe(draw)
                resamples += 1
            }
        }
        let bootstrap = resamples > 0 ? resampledSharpe / resamples : 0
        let centre = config.centre == .zero ? 0 : bootstrap
        let meanTrades = Double(trades) / n

        var failure: String?
        if trades == 0 {
            failure = "NO_TRADES"
        } else if abs(mean - centre) > config.tolerance {
            failure = "SHARPE_OUTSIDE_TOLERANCE"
        }
        return Row(
            slug: plan.archetype.slug, family: plan.archetype.family, instrument: plan.instrument.symbol,
            timeframe: plan.archetype.timeframe, runs: runs.count, meanSharpe: mean, sharpeSD: sd, standardError: se,
            z: se > 0 ? (mean - centre) / se : 0, centre: centre, meanTrades: meanTrades,
            grossTicksPerTrade: trades > 0 ? ticks / Double(trades) : 0,
            grossPnLPerTrade: trades > 0 ? pnl / Double(trades) : 0,
            pnlZ: pnlSD > 0 ? meanPnL / (pnlSD / n.squareRoot()) : 0, dailySkewness: skew, bootstrapCentre: bootstrap,
            sharpes: sharpes, failure: failure)
    }

    /// The engine's Sharpe (Metrics): mean / sample SD of daily values × √252; 0 with
    /// fewer than two days or no variation. Scale-free, so daily PnL stands in for
    /// daily returns on a fixed starting equity.
    static func sharpe(_ daily: [Double]) -> Double {
        guard daily.count >= 2 else { return 0 }
        let n = Double(daily.count)
        let mean = daily.reduce(0, +) / n
        let variance = daily.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        // Cents-level noise from removing a mean is no variation.
        guard variance > 1e-12 else { return 0 }
        return mean / variance.squareRoot() * 252.0.squareRoot()
    }
}

/// Results written by index from concurrent iterations, read after they all finished.
private final class Slots<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Value?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    subscript(index: Int) -> Value? {
        get { lock.withLock { storage[index] } }
        set { lock.withLock { storage[index] = newValue } }
    }

    var values: [Value?] { lock.withLock { storage } }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
