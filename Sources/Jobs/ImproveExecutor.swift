import Backtest
import Foundation
import Market
import MarketData
import Postgres

/// Runs IMPROVE: one improvement iteration for the job's bot. A candidate is the
/// bot's parameters mutated gently (`Mutation.Strength.improve`); it is backtested
/// beside the current parameters on two windows of equal length — in-sample, the
/// sessions just before the out-of-sample window, and out-of-sample, the bot's usual
/// baseline window (the last `baseline_trading_days` sessions) — four runs on one
/// fetch of bars. It is adopted only when it beats the current parameters on both
/// (`ImprovementScore.beats`); either way `record_improvement` records the candidate's
/// out-of-sample session as iteration + 1 with its own params_hash.
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
        let windows: (inSample: BacktestWindow, outOfSample: BacktestWindow)
        let iteration = (job.iteration ?? 0) + 1
        let trial: Int
        do throws(JobFailure) {
            bot = try ClaimedBot(job)
            windows = self.windows(for: bot, tradingDays: job.baselineTradingDays)
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
        do throws(MarketDataError) {
            fetch = try source.fetchBars(BarRequest(
                instrument: bot.instrument, timeframe: bot.timeframe,
                from: Date(timeIntervalSince1970: Double(windows.inSample.from)),
                to: Date(timeIntervalSince1970: Double(windows.outOfSample.to)), traceId: job.traceID))
        } catch {
            return JobOutcome(.failed(BacktestExecutor.failure(error)), usage: error.usage)
        }
        context.logger.info("bars fetched", metadata: [
            "bars": "\(fetch.bars.count)", "data_source": "\(fetch.source)",
            "in_sample": "\(windows.inSample.firstTradeDate)..\(windows.inSample.endTradeDate)",
            "out_of_sample": "\(windows.outOfSample.firstTradeDate)..\(windows.outOfSample.endTradeDate)",
        ])

        do throws(JobFailure) {
            let inSample = try compare(bot, candidate.params, on: fetch, window: windows.inSample)
            let outOfSample = try compare(bot, candidate.params, on: fetch, window: windows.outOfSample)
            let session = try BacktestRecord(result: outOfSample.candidate, window: windows.outOfSample,
                                             iteration: iteration, startedAt: startedAt, completedAt: now())
            let record = ImprovementRecord(
                candidate: candidate, iteration: iteration,
                inSample: .init(current: ImprovementScore(inSample.current), candidate: ImprovementScore(inSample.candidate)),
                outOfSample: .init(current: ImprovementScore(outOfSample.current),
                                   candidate: ImprovementScore(outOfSample.candidate)),
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

    /// Out-of-sample: the baseline window. In-sample: as many sessions again, ending
    /// where the out-of-sample window begins, so the candidate is judged on data its
    /// in-sample win never saw.
    func windows(for bot: ClaimedBot, tradingDays days: Int) -> (inSample: BacktestWindow, outOfSample: BacktestWindow) {
        let outOfSample = BacktestWindow.recentSessions(
            session: bot.instrument.session, timeframe: bot.timeframe, tradingDays: days,
            minimumBars: BacktestExecutor.minimumBars, now: BacktestWindow.end(of: source, for: bot.instrument, now: now()))
        let inSample = BacktestWindow.recentSessions(
            session: bot.instrument.session, timeframe: bot.timeframe, tradingDays: days,
            minimumBars: BacktestExecutor.minimumBars, now: Date(timeIntervalSince1970: Double(outOfSample.from)))
        return (inSample, outOfSample)
    }

    /// The current and the candidate parameters on one window of the fetched bars.
    private func compare(_ bot: ClaimedBot, _ candidate: ParamValues, on fetch: BarFetch,
                         window: BacktestWindow) throws(JobFailure) -> (current: BacktestResult, candidate: BacktestResult) {
        let bars = fetch.bars.window(from: window.from, to: window.to)
        let fingerprint = bars.fingerprint
        func run(_ params: ParamValues) throws(JobFailure) -> BacktestResult {
            do throws(BacktestError) {
                return try Backtester.run(BacktestRequest(
                    archetype: bot.archetype, params: params, instrument: bot.instrument, bars: bars,
                    dataSource: fetch.source, startingEquity: bot.startingEquity, windowFrom: window.firstTradeDate, windowTo: window.endTradeDate,
                    barFingerprint: fingerprint))
            } catch {
                throw JobFailure(code: error.code, message: "\(error.message) (\(window.firstTradeDate)..\(window.endTradeDate))",
                                 suggestedFix: error.suggestedFix, retryable: false)
            }
        }
        return (try run(bot.params), try run(candidate))
    }
}
