-- The recorder of the backtest kinds (job_kinds.recorder; called by
-- complete_leased_job, which holds the lease): the backtest_sessions row (status
-- COMPLETED) and its trade_logs rows through record_backtest_session, the kind's
-- completed_event (BACKTEST_COMPLETED {session_id, trades_count, realized_pnl,
-- sharpe, max_dd, max_dd_pct, win_rate, data_source, bars_tested, job_type,
-- attempt, trace_id}), the breaker's failure streak reset, and for an evolved
-- CANDIDATE its verdict (select_evolution). Returns {reason_code:
-- BACKTEST_RECORDED, session_id[, selection: {decision, reason_code}]}.
-- p_result: {"session": {…backtest_sessions columns…}, "trades": [{…trade_logs columns…}]};
-- missing instrument, tick_size, contract_multiplier, timeframe, params,
-- params_hash or iteration default to the bot's; an instrument other than the
-- bot's → 22023 INSTRUMENT_MISMATCH (both checked by record_backtest_session).
create or replace function record_backtest(p_job bot_jobs, p_result jsonb) returns jsonb
language plpgsql volatile as $$
declare
    v_session uuid;
begin
    v_session := record_backtest_session(p_job.id, p_result);

    insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
    select k.completed_event, s.bot_id, p_job.id, p_job.trace_id,
           jsonb_build_object('session_id', s.id, 'trades_count', s.trades_count, 'realized_pnl', s.realized_pnl,
                              'sharpe', s.sharpe, 'max_dd', s.max_drawdown_usd, 'max_dd_pct', s.max_drawdown_pct,
                              'win_rate', s.win_rate, 'data_source', s.data_source, 'bars_tested', s.bars_tested,
                              'job_type', p_job.job_type, 'attempt', p_job.attempt, 'trace_id', p_job.trace_id)
      from backtest_sessions s join job_kinds k on k.kind = p_job.job_type
     where s.id = v_session;

    update circuit_breakers
       set consecutive_failures = 0, streak_started_at = null, updated_at = now()
     where name = 'backtest' and consecutive_failures > 0;

    -- An evolved candidate's baseline is its trial: the verdict follows at once.
    return jsonb_strip_nulls(jsonb_build_object('reason_code', 'BACKTEST_RECORDED', 'session_id', v_session,
                                                'selection', select_evolution(p_job.bot_id, v_session)));
end
$$;
