-- One backtest session without its trades and curve (lists).
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
        'completedAt', s.completed_at, 'durationMs', s.duration_ms, 'createdAt', s.created_at)
$$;
