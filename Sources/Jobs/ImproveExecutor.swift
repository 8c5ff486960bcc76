import Backtest
import Foundation
import Market
import MarketData
import Postgres

/// Runs IMPROVE: one improvement iteration for the job's bot. A candidate is the
/// bot's parameters mutated gently (`Mutation.Strength.improve`); it is researched
/// beside the current parameters with the baseline's walk-forward machinery over the
/// bot's usual baseline window (the last `baseline_trading_days` sessions, one fetch
/// of bars): in-sample is the first block, which no fold ever tests; out-of-sample
/// is the aggregate of the test folds. It is adopted only when it beats the current
/// parameters on both (`ImprovementScore.beats`); either way `record_improvement`
/// records the candidate's walk-forward session as iteration + 1 with its own
/// params_hash, and with trials = the lineage's + 1 (the candidate is one more
/// configuration tried).
///
/// The seed is (bot id, iteration + 1, trial), where trial counts the candidates
/// already tried for that iteration: a rejected candidate leaves the bot unchanged,
/// so without the trial the next job would try the very same one again.
public struct ImproveExecutor: JobExecutor {
    public let source: any BarSource
    public let now: @Sendable () -> Date

    public var name: String { "improve" }
    public var claimBatchSize: Int { 1 }

    public init(source: any BarSource, now: @escaping @Sendable () -> Date = { Date() }) {
        self.source = source
        self.now = now
    }

    public func execute(_ job: ClaimedJob, context: JobContext) -> JobOutcome {
        let startedAt = now()
        let bot: ClaimedBot
        let iteration = (job.iteration ?? 0) + 1
        let trial: Int
        do throws(JobFailure) {
            bot = try ClaimedBot(job)
            trial = job.trials ?? 0
        } catch {
            return JobOutcome(.failed(error))
        }
        let seed = Mutation.seed(bot.id, iteration, trial)
        let candidate: Mutation
        do throws(ParamsError) {
            candidate = try Mutation.mutate(bot.params, of: bot.archetype, seed: seed, strength: Mutation.Strength.improve)
        } catch {
            return JobOutcome(.failed(JobFailure(code: error.code.rawValue, message: error.message,
                                                 suggestedFix: "widen the archetype's bounds", retryable: false)))
        }

        let fetch: BarFetch
        let window: BacktestWindow
        do throws(MarketDataError) {
            let baseline = try BaselineBars.fetch(
                from: source, instrument: bot.instrument, timeframe: bot.timeframe, tradingDays: job.baselineTradingDays,
                minimumBars: BacktestExecutor.minimumBars, now: now(), traceId: job.traceID)
            (fetch, window) = (baseline.fetch, baseline.window)
        } catch {
            return JobOutcome(.failed(BacktestExecutor.failure(error)), usage: error.usage)
        }
        context.logger.info("bars fetched", metadata: [
            "bars": "\(fetch.bars.count)", "data_source": "\(fetch.source)",
            "window": "\(window.firstTradeDate)..\(window.endTradeDate)",
        ])

        do throws(JobFailure) {
            var spec = job.walkForward
            let fingerprint = fetch.bars.fingerprint
            let current = try research(bot, bot.params, on: fetch, fingerprint: fingerprint, window: window, spec: spec)
            spec.trials += 1
            let tried = try research(bot, candidate.params, on: fetch, fingerprint: fingerprint, window: window, spec: spec)
            let session = try BacktestRecord(result: tried, window: window, iteration: iteration,
                                             startedAt: startedAt, completedAt: now())
            let record = ImprovementRecord(
                candidate: candidate, iteration: iteration,
                inSample: .init(current: Self.inSample(current), candidate: Self.inSample(tried)),
                outOfSample: .init(current: ImprovementScore(current), candidate: ImprovementScore(tried)),
                seed: seed, trial: trial, outOfSampleSession: session)
            context.logger.info("candidate compared", metadata: [
                "iteration": "\(iteration)", "trial": "\(trial)", "adopted": "\(record.adopted)",
                "params_hash": "\(record.paramsHash)",
                "in_sample_pnl": "\(record.inSample.current.netPnL)→\(record.inSample.candidate.netPnL)",
                "out_of_sample_pnl": "\(record.outOfSample.current.netPnL)→\(record.outOfSample.candidate.netPnL)",
            ])
            return JobOutcome(.completed(record), usage: fetch.usage)
        } catch {
            return JobOutcome(.failed(error), usage: fetch.usage)
        }
    }

    /// The first block: the in-sample span of the first fold, never tested out of sample.
    private static func inSample(_ result: BacktestResult) -> ImprovementScore {
        let metrics = result.evidence?.folds.first?.inSample.metrics ?? Metrics()
        return ImprovementScore(metrics, paramsHash: result.provenance.paramsHash)
    }

    /// One parameter set researched walk-forward on the fetched bars.
    private func research(_ bot: ClaimedBot, _ params: ParamValues, on fetch: BarFetch, fingerprint: String,
                          window: BacktestWindow, spec: WalkForwardSpec) throws(JobFailure) -> BacktestResult {
        do throws(BacktestError) {
            return try WalkForward.run(BacktestRequest(
                archetype: bot.archetype, params: params, instrument: bot.instrument, bars: fetch.bars,
                dataSource: fetch.source, startingEquity: bot.startingEquity, windowFrom: window.firstTradeDate,
                windowTo: window.endTradeDate, barFingerprint: fingerprint), spec: spec)
        } catch {
            throw JobFailure(code: error.code, message: "\(error.message) (\(window.firstTradeDate)..\(window.endTradeDate))",
                             suggestedFix: error.suggestedFix, retryable: false)
        }
    }
}
