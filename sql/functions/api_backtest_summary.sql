-- One backtest session without its trades, curve and folds (lists); evidence =
-- evidence_label.
create or replace function api_backtest_summary(s backtest_sessions) returns jsonb
language sql stable as $$
    select jsonb_build_object(
        'id', s.id, 'botId', s.bot_id, 'jobId', s.job_id, 'status', s.status,
        'instrument', s.instrument, 'tickSize', s.tick_size, 'contractMultiplier', s.contract_multiplier,
        'timeframe', s.timeframe, 'windowFrom', s.window_from, 'windowTo', s.window_to, 'barsTested', s.bars_tested,
        'dataSource', s.data_source, 'dataFingerprint', s.data_fingerprint, 'paramsHash', s.params_hash,
        'iteration', s.iteration, 'tradesCount', s.trades_count, 'realizedPnl', s.realized_pnl,
        'sharpe', s.sharpe, 'sortino', s.sortino, 'maxDrawdownUsd', s.max_drawdown_usd,
        'maxDrawdownPct', s.max_drawdown_pct, 'profitFactor', s.profit_factor, 'winRate', s.win_rate,
        'errorCode', s.error_code, 'traceId', s.trace_id, 'startedAt', s.started_at,
        'completedAt', s.completed_at, 'durationMs', s.duration_ms, 'createdAt', s.created_at,
        -- Walk-forward evidence: the metrics above are the out-of-sample aggregate over oosFrom…oosTo.
        'sessionsTested', s.sessions_tested, 'oosFrom', s.oos_from, 'oosTo', s.oos_to,
        'intervals', case when s.deflated_sharpe is not null then jsonb_build_object(
            'sharpe', jsonb_build_object('ciLow', s.sharpe_ci_low, 'ciHigh', s.sharpe_ci_high),
            'expectancy', jsonb_build_object('ciLow', s.expectancy_ci_low, 'ciHigh', s.expectancy_ci_high),
            'profitFactor', jsonb_build_object('ciLow', s.profit_factor_ci_low, 'ciHigh', s.profit_factor_ci_high)) end,
        'deflatedSharpe', s.deflated_sharpe, 'trials', s.trials, 'expectancy', s.expectancy,
        'evidence', case when s.status = 'COMPLETED' then evidence_label(s.trades_count, s.expectancy_ci_low, s.deflated_sharpe) end)
$$;
