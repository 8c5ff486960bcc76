import Backtest
import Foundation
import Logging
import Market
import MarketData

/// Runs RESEARCH_CELL: one grid cell of a research run — the cell's archetype,
/// instrument and params over the run's window, researched walk-forward like a
/// baseline (the claim row's folds and bootstrap; trials = the cells of its
/// archetype's grid) — and hands the out-of-sample metrics to `record_research_cell`,
/// which scores and tags the row in SQL. The payload: {run_id, cell, archetype,
/// instrument, timeframe, params, params_hash, grid_edge, trials, from, to}.
public struct ResearchCellExecutor: JobExecutor {
    public let source: any BarSource
    /// Test-only, as `BacktestExecutor.testDelayMs` (a cell is a backtest too): lets
    /// a browser test see a research run in flight.
    public let testDelayMs: Int
    public var name: String { "research" }
    public var claimBatchSize: Int { 1 }

    public init(source: any BarSource, testDelayMs: Int = 0) {
        self.source = source
        self.testDelayMs = max(0, testDelayMs)
    }

    struct Payload: Decodable {
        let archetype: String
        let instrument: String
        let timeframe: String
        let params: ParamValues
        let trials: Int?
    }

    public func execute(_ job: ClaimedJob, context: JobContext) -> JobOutcome {
        if testDelayMs > 0 { usleep(useconds_t(min(testDelayMs, 3_600_000)) * 1000) }
        let cell: Payload, archetype: Archetype, instrument: Instrument, timeframe: Timeframe, params: ParamValues
        let window: BacktestWindow
        do throws(JobFailure) {
            do {
                cell = try JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8))
            } catch {
                throw JobFailure(code: "INVALID_PAYLOAD", message: "a RESEARCH_CELL job needs its cell: \(error)", retryable: false)
            }
            guard let a = Archetypes.named(cell.archetype), let i = Instruments.spec(cell.instrument),
                  let t = Timeframe(rawValue: cell.timeframe) else {
                throw JobFailure(code: "INVALID_PAYLOAD",
                                 message: "unknown archetype, instrument or timeframe: \(cell.archetype) \(cell.instrument) \(cell.timeframe)",
                                 retryable: false)
            }
            do throws(ParamsError) {
                params = try a.validate(cell.params)
            } catch {
                throw JobFailure(code: error.code.rawValue, message: error.message, retryable: false)
            }
            guard let w = try BacktestWindow.requested(payload: job.payload, session: i.session) else {
                throw JobFailure(code: "INVALID_WINDOW", message: "a research cell needs the run's from/to", retryable: false)
            }
            (archetype, instrument, timeframe, window) = (a, i, t, w)
        } catch {
            return JobOutcome(.failed(error))
        }

        let fetch: BarFetch
        do throws(MarketDataError) {
            fetch = try source.fetchBars(BarRequest(
                instrument: instrument, timeframe: timeframe, from: Date(timeIntervalSince1970: Double(window.from)),
                to: Date(timeIntervalSince1970: Double(window.to)), traceId: job.traceID))
        } catch {
            return JobOutcome(.failed(BacktestExecutor.failure(error)), usage: error.usage)
        }
        let spec = WalkForwardSpec(folds: job.walkForward.folds, mode: job.walkForward.mode, trials: max(1, cell.trials ?? 1),
                                   resamples: job.walkForward.resamples, blockLength: job.walkForward.blockLength)
        do throws(BacktestError) {
            let result = try WalkForward.run(BacktestRequest(
                archetype: archetype, params: params, instrument: instrument, bars: fetch.bars, dataSource: fetch.source,
                startingEquity: job.startingEquity, windowFrom: window.firstTradeDate, windowTo: window.endTradeDate),
                spec: spec, detail: .metrics)
            return JobOutcome(.completed(ResearchCellRecord(result: result)), usage: fetch.usage)
        } catch {
            return JobOutcome(.failed(JobFailure(code: error.code, message: error.message, suggestedFix: error.suggestedFix,
                                                 retryable: false)), usage: fetch.usage)
        }
    }
}

/// The `p_result` of RESEARCH_CELL for `record_research_cell`: the out-of-sample
/// aggregate's metrics, its intervals and deflated Sharpe, the in-sample Sharpe of
/// the first block (for `oos_decay`); SQL judges whether its data source is real.
struct ResearchCellRecord: JobResult {
    struct Metrics: Encodable {
        let data_source: String
        let sessions_tested: Int
        let trades: Int
        let net_pnl, return_pct, sharpe, sortino, profit_factor, win_rate: Double
        let max_drawdown_usd, max_drawdown_pct, expectancy: Double
        let in_sample_sharpe: Double?
        let sharpe_ci_low, sharpe_ci_high, expectancy_ci_low, expectancy_ci_high, deflated_sharpe: Double?
        let trials: Int
    }

    let metrics: Metrics

    init(result: BacktestResult) {
        let m = result.metrics, evidence = result.evidence
        metrics = Metrics(
            data_source: result.provenance.dataSource,
            sessions_tested: evidence?.window.sessions ?? 0, trades: m.totalTrades, net_pnl: m.netProfit,
            return_pct: m.returnPercent, sharpe: m.sharpe, sortino: m.sortino, profit_factor: m.profitFactor,
            win_rate: m.winRate, max_drawdown_usd: m.maxDrawdown, max_drawdown_pct: m.maxDrawdownPercent,
            expectancy: m.expectancy, in_sample_sharpe: evidence?.folds.first?.inSample.metrics.sharpe,
            sharpe_ci_low: evidence?.intervals.sharpe.ciLow, sharpe_ci_high: evidence?.intervals.sharpe.ciHigh,
            expectancy_ci_low: evidence?.intervals.expectancy.ciLow, expectancy_ci_high: evidence?.intervals.expectancy.ciHigh,
            deflated_sharpe: evidence?.deflatedSharpe.value, trials: evidence?.spec.trials ?? 1)
    }

    var logSummary: Logger.Metadata {
        ["trades": "\(metrics.trades)", "net_pnl": "\(metrics.net_pnl)", "sharpe": "\(metrics.sharpe)"]
    }
}
