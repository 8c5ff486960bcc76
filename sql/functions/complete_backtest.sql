-- Records a backtest result and completes its job, all or nothing: the
-- backtest_sessions row (status COMPLETED), its trade_logs rows, the job
-- RUNNING → COMPLETED with its job_run_events row (reason BACKTEST_RECORDED), a
-- BACKTEST_COMPLETED feed event {session_id, trades_count, realized_pnl, sharpe,
-- max_dd, win_rate, data_source, bars_tested, job_type, attempt, trace_id}, and
-- the breaker's failure streak reset. Returns the session id.
--
-- Only the current lease holder may record: unless the job is RUNNING, owned by
-- p_worker, at p_attempt, it raises P0001 LEASE_LOST and writes nothing (so a
-- late result from a rescued or released lease can never record twice; the
-- unique backtest_sessions.job_id backs this up). A lease that has expired but
-- not yet been rescued is still held. A non-backtest job → 22023 NOT_A_BACKTEST_JOB.
-- Missing instrument, tick_size, contract_multiplier, timeframe, params,
-- params_hash or iteration default to the bot's; an instrument other than the
-- bot's → 22023 INSTRUMENT_MISMATCH (both checked by record_backtest_session).
create or replace function complete_backtest(p_job uuid, p_worker text, p_attempt int, p_result jsonb)
returns uuid
language plpgsql volatile as $$
declare
    v_job bot_jobs%rowtype;
    v_session uuid;
begin
    v_job := finish_leased_job(p_job, p_worker, p_attempt, array['BACKTEST_BASELINE', 'BACKTEST_REFRESH'], 'NOT_A_BACKTEST_JOB');
    -- The session and its trades go through the insert path complete_improve shares.
    v_session := record_backtest_session(v_job.id, p_result);

    insert into job_run_events (job_id, from_status, to_status, reason_code, worker_id, attempt, trace_id, details)
    values (v_job.id, 'RUNNING', 'COMPLETED', 'BACKTEST_RECORDED', p_worker, v_job.attempt, v_job.trace_id,
            jsonb_build_object('session_id', v_session));

    insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
    select 'BACKTEST_COMPLETED', s.bot_id, v_job.id, v_job.trace_id,
           jsonb_build_object('session_id', s.id, 'trades_count', s.trades_count, 'realized_pnl', s.realized_pnl,
                              'sharpe', s.sharpe, 'max_dd', s.max_drawdown_usd, 'max_dd_pct', s.max_drawdown_pct,
                              'win_rate', s.win_rate, 'data_source', s.data_source, 'bars_tested', s.bars_tested,
                              'job_type', v_job.job_type, 'attempt', v_job.attempt, 'trace_id', v_job.trace_id)
      from backtest_sessions s where s.id = v_session;

    update circuit_breakers
       set consecutive_failures = 0, streak_started_at = null, updated_at = now()
     where name = 'backtest' and consecutive_failures > 0;

    return v_session;
end
$$;
