import Backtest
import Foundation
import Logging
import Market
import MarketData
import Postgres

/// Runs the backtest kinds (`job_kinds.executor = 'backtest'`): the bot's archetype, instrument,
/// timeframe and params from the claimed row; bars from the provider chain over the
/// last `baseline_trading_days` sessions (from the claim row, or the payload's
/// window); walk-forward research over them (`WalkForward`, the claim row's folds,
/// bootstrap and lineage trials), starting from `simulated_equity`; and
/// a `BacktestRecord` of the out-of-sample evidence for `record_backtest`.
public struct BacktestExecutor: JobExecutor {
    public static let minimumBars = 1000

    public let source: any BarSource
    /// Test-only: milliseconds to sleep before fetching, so a test can catch a
    /// backtest in flight (kill -9, SIGTERM). Set from GAUNTLET_TEST_EXECUTOR_DELAY_MS.
    public let testDelayMs: Int
    public let now: @Sendable () -> Date

    public var name: String { "backtest" }
    public var claimBatchSize: Int { 1 }

    public init(source: any BarSource, testDelayMs: Int = 0, now: @escaping @Sendable () -> Date = { Date() }) {
        self.source = source
        self.testDelayMs = max(0, testDelayMs)
        self.now = now
    }

    /// The configured provider chain (synthetic, labelled so, when no provider key is
    /// set) and the test delay, both from the environment.
    public init(environment: [String: String]) {
        self.init(source: BarSources.chain(environment: environment),
                  testDelayMs: environment["GAUNTLET_TEST_EXECUTOR_DELAY_MS"].flatMap { Int($0) } ?? 0)
    }

    public func execute(_ job: ClaimedJob, context: JobContext) -> JobOutcome {
        let startedAt = now()
        if testDelayMs > 0 { usleep(useconds_t(min(testDelayMs, 3_600_000)) * 1000) }
        let plan: Plan
        do throws(JobFailure) {
            plan = try self.plan(job, context: context)
        } catch {
            return JobOutcome(.failed(error))
        }

        let fetch: BarFetch
        let window: BacktestWindow
        do throws(MarketDataError) {
            if let requested = plan.window {
                window = requested
                fetch = try source.fetchBars(BarRequest(
                    instrument: plan.instrument, timeframe: plan.timeframe,
                    from: Date(timeIntervalSince1970: Double(requested.from)),
                    to: Date(timeIntervalSince1970: Double(requested.to)), traceId: job.traceID))
            } else {
                let baseline = try BaselineBars.fetch(
                    from: source, instrument: plan.instrument, timeframe: plan.timeframe,
                    tradingDays: job.baselineTradingDays, minimumBars: Self.minimumBars, now: now(), traceId: job.traceID)
                (fetch, window) = (baseline.fetch, baseline.window)
            }
        } catch {
            return JobOutcome(.failed(Self.failure(error)), usage: error.usage)
        }
        context.logger.info("bars fetched", metadata: [
            "bars": "\(fetch.bars.count)", "data_source": "\(fetch.source)",
            "window": "\(isoUTC(window.from))..\(isoUTC(window.to))",
        ])
        if fetch.bars.count < Self.minimumBars {
            context.logger.warning("fewer bars than a baseline should have", metadata: [
                "bars": "\(fetch.bars.count)", "minimum": "\(Self.minimumBars)",
            ])
        }

        let result: BacktestResult
        do throws(BacktestError) {
            result = try WalkForward.run(BacktestRequest(
                archetype: plan.archetype, params: plan.params, instrument: plan.instrument, bars: fetch.bars,
                dataSource: fetch.source, startingEquity: job.startingEquity,
                windowFrom: window.firstTradeDate, windowTo: window.endTradeDate), spec: job.walkForward)
        } catch {
            return JobOutcome(.failed(JobFailure(code: error.code, message: error.message,
                                                 suggestedFix: error.suggestedFix, retryable: false)),
                              usage: fetch.usage)
        }
        if let stored = job.paramsHash, stored != result.provenance.paramsHash {
            // The engine hashes the complete, validated set (defaults filled in); a bot
            // storing a partial set hashes differently. The session records what ran.
            context.logger.notice("params_hash differs from the bot's", metadata: [
                "bot_params_hash": "\(stored)", "tested_params_hash": "\(result.provenance.paramsHash)",
            ])
        }
        do throws(JobFailure) {
            let record = try BacktestRecord(result: result, window: window, iteration: job.iteration ?? 0,
                                            startedAt: startedAt, completedAt: now())
            return JobOutcome(.completed(record), usage: fetch.usage)
        } catch {
            return JobOutcome(.failed(error), usage: fetch.usage)
        }
    }

    /// Everything resolved from the claimed row before any bar is fetched.
    struct Plan {
        let archetype: Archetype
        let params: ParamValues
        let instrument: Instrument
        let timeframe: Timeframe
        /// The payload's window; nil for a baseline (`BaselineBars` picks its sessions).
        let window: BacktestWindow?
    }

    func plan(_ job: ClaimedJob, context: JobContext) throws(JobFailure) -> Plan {
        let bot = try ClaimedBot(job)
        let (archetype, params, instrument, timeframe) = (bot.archetype, bot.params, bot.instrument, bot.timeframe)
        let window = try BacktestWindow.requested(payload: job.payload, session: instrument.session)
        return Plan(archetype: archetype, params: params, instrument: instrument, timeframe: timeframe, window: window)
    }

    /// Configuration and request errors would fail again unchanged; outages, rate
    /// limits and gaps in the data may not.
    static func failure(_ error: MarketDataError) -> JobFailure {
        let permanent: Set<String> = [
            MarketDataError.notConfigured, MarketDataError.providerUnauthorized, MarketDataError.providerBadRequest,
            MarketDataError.invalidSpec, MarketDataError.unsupportedRequest, MarketDataError.fileNotFound,
            MarketDataError.badBarData,
        ]
        return JobFailure(code: error.code, message: error.message, suggestedFix: error.suggestedFix,
                          retryable: !permanent.contains(error.code))
    }
}
