import Logging
import Backtest
import Foundation
import Market

/// The `p_result` of `complete_leased_job` for a backtest (`record_backtest`, docs/jobs.md): the engine's
/// result mapped onto the `backtest_sessions` and `trade_logs` columns — for a
/// walk-forward result, the out-of-sample aggregate's metrics and trades over the
/// whole window's bars, with the folds, intervals and deflated Sharpe. Every
/// number is checked finite before it leaves, so a bad result fails loudly
/// instead of being stored as NaN.
public struct BacktestRecord: Sendable, Encodable {
    public struct Session: Sendable, Encodable {
        let instrument: String
        let tick_size: Double
        let contract_multiplier: Double
        let timeframe: String
        let window_from: String
        let window_to: String
        let bars_tested: Int
        let data_source: String
        let data_fingerprint: String
        let params: ParamValues
        let params_hash: String
        let iteration: Int
        let trades_count: Int
        let realized_pnl: Double
        let sharpe: Double
        let sortino: Double
        let max_drawdown_usd: Double
        let max_drawdown_pct: Double
        let profit_factor: Double
        let win_rate: Double
        let expectancy: Double
        let sqn: Double
        let metrics: Metrics
        let equity_curve: [EquityPoint]
        let engine_version: String
        let started_at: String
        let completed_at: String
        let duration_ms: Double
        // Walk-forward evidence (nil for a single-window result): the metrics above are
        // then the out-of-sample aggregate over oos_from..<oos_to.
        let sessions_tested: Int
        let oos_from: String?
        let oos_to: String?
        let folds: [Fold]?
        let walk_forward: WalkForwardSummary?
        let sharpe_ci_low: Double?
        let sharpe_ci_high: Double?
        let expectancy_ci_low: Double?
        let expectancy_ci_high: Double?
        let profit_factor_ci_low: Double?
        let profit_factor_ci_high: Double?
        let deflated_sharpe: Double?
        let trials: Int?
    }

    /// `backtest_sessions.walk_forward`: the evidence without its folds (a column of their own).
    public struct WalkForwardSummary: Sendable, Encodable {
        let spec: WalkForwardSpec
        let window: SessionSlice
        let intervals: BlockBootstrap
        let deflated_sharpe: DeflatedSharpe
    }

    public struct TradeRow: Sendable, Encodable {
        let seq: Int
        let side: String
        let contracts: Int
        let entry_time: String
        let entry_price: Double
        let exit_time: String
        let exit_price: Double
        let exit_reason: String
        let entry_reason: String
        /// Net USD, after commission (slippage is inside the fill prices).
        let pnl: Double
        /// Commission plus slippage valued at tick value, USD.
        let costs: Double
    }

    public let session: Session
    public let trades: [TradeRow]

    /// - Parameters:
    ///   - window: the bar window asked for (UTC), recorded as `window_from`/`window_to`.
    ///   - iteration: the bot's iteration at claim time.
    public init(result: BacktestResult, window: BacktestWindow, iteration: Int, startedAt: Date,
                completedAt: Date) throws(JobFailure) {
        let m = result.metrics
        let p = result.provenance
        let e = result.evidence
        session = Session(
            instrument: p.instrument, tick_size: p.tickSize, contract_multiplier: p.multiplier,
            timeframe: p.timeframe.rawValue, window_from: isoUTC(window.from), window_to: isoUTC(window.to),
            bars_tested: e?.window.bars ?? p.barsTested, data_source: p.dataSource, data_fingerprint: p.barFingerprint,
            params: p.params, params_hash: p.paramsHash, iteration: iteration, trades_count: m.totalTrades,
            realized_pnl: m.netProfit, sharpe: m.sharpe, sortino: m.sortino, max_drawdown_usd: m.maxDrawdown,
            max_drawdown_pct: m.maxDrawdownPercent, profit_factor: m.profitFactor, win_rate: m.winRate,
            expectancy: m.expectancy, sqn: m.sqn, metrics: m, equity_curve: result.equityCurve,
            engine_version: p.engineVersion, started_at: Self.timestamp(startedAt),
            completed_at: Self.timestamp(completedAt),
            duration_ms: (completedAt.timeIntervalSince(startedAt) * 1000).rounded(),
            sessions_tested: e?.window.sessions ?? p.sessionsTested,
            oos_from: e.map { _ in p.windowFrom }, oos_to: e.map { _ in p.windowTo }, folds: e?.folds,
            walk_forward: e.map { WalkForwardSummary(spec: $0.spec, window: $0.window, intervals: $0.intervals,
                                                     deflated_sharpe: $0.deflatedSharpe) },
            sharpe_ci_low: e?.intervals.sharpe.ciLow, sharpe_ci_high: e?.intervals.sharpe.ciHigh,
            expectancy_ci_low: e?.intervals.expectancy.ciLow, expectancy_ci_high: e?.intervals.expectancy.ciHigh,
            profit_factor_ci_low: e?.intervals.profitFactor.ciLow, profit_factor_ci_high: e?.intervals.profitFactor.ciHigh,
            deflated_sharpe: e?.deflatedSharpe.value, trials: e?.deflatedSharpe.trials)
        trades = result.trades.enumerated().map { index, trade in
            TradeRow(seq: index + 1, side: trade.side.rawValue, contracts: trade.contracts,
                     entry_time: trade.entryTime, entry_price: trade.entryPrice, exit_time: trade.exitTime,
                     exit_price: trade.exitPrice, exit_reason: trade.exitReason.rawValue,
                     entry_reason: trade.entryReason, pnl: trade.pnl,
                     costs: trade.commission + trade.slippage)
        }
        try checkFinite()
    }

    private func checkFinite() throws(JobFailure) {
        let s = session
        var numbers = [s.tick_size, s.contract_multiplier, s.realized_pnl, s.sharpe, s.sortino, s.max_drawdown_usd,
                       s.max_drawdown_pct, s.profit_factor, s.win_rate, s.expectancy, s.sqn, s.duration_ms]
        numbers += s.equity_curve.map(\.equity)
        numbers += [s.sharpe_ci_low, s.sharpe_ci_high, s.expectancy_ci_low, s.expectancy_ci_high, s.profit_factor_ci_low,
                    s.profit_factor_ci_high, s.deflated_sharpe].compactMap { $0 }
        numbers += trades.flatMap { [$0.entry_price, $0.exit_price, $0.pnl, $0.costs] }
        // The full metrics object goes in too; encoding it would throw on the first
        // non-finite field, but with no name — so name the mapped columns here.
        guard numbers.allSatisfy(\.isFinite) else {
            throw JobFailure(code: "NON_FINITE_RESULT",
                             message: "the engine returned a non-finite number for \(s.instrument) \(s.timeframe)",
                             suggestedFix: "report this backtest (trace id in the logs): the engine must never emit NaN or inf",
                             retryable: false)
        }
    }

    /// Millisecond ISO 8601 in UTC.
    static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let fraction = Int(millis - seconds * 1000)
        let text = isoUTC(seconds)
        let pad = fraction < 10 ? "00" : fraction < 100 ? "0" : ""
        return "\(text.dropLast()).\(pad)\(fraction)Z"
    }
}

extension BacktestRecord: JobResult {
    public var logSummary: Logger.Metadata {
        ["trades": "\(trades.count)", "data_source": "\(session.data_source)", "bars": "\(session.bars_tested)"]
    }
}
