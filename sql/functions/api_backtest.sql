-- GET /api/backtests/:id: provenance, metrics, trades, the equity curve and the
-- walk-forward folds and evidence.
create or replace function api_backtest(p_id uuid) returns jsonb
language plpgsql stable as $$
begin
    return (
        select api_backtest_summary(s) || jsonb_build_object(
            'botName', (select b.name from bots b where b.id = s.bot_id),
            'params', s.params, 'metrics', s.metrics, 'equityCurve', s.equity_curve,
            'engineVersion', s.engine_version, 'errorMessage', s.error_message,
            'folds', s.folds, 'walkForward', s.walk_forward,
            'trades', coalesce((
                select jsonb_agg(jsonb_build_object(
                    'seq', t.seq, 'side', t.side, 'contracts', t.contracts, 'entryTime', t.entry_time,
                    'entryPrice', t.entry_price, 'exitTime', t.exit_time, 'exitPrice', t.exit_price,
                    'exitReason', t.exit_reason, 'entryReason', t.entry_reason, 'pnl', t.pnl, 'costs', t.costs) order by t.seq)
                from trade_logs t where t.session_id = s.id), '[]'::jsonb))
        from backtest_sessions s
        where s.id = p_id
    );
end
$$;
