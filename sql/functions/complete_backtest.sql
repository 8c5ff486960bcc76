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
-- bot's → 22023 INSTRUMENT_MISMATCH.
create or replace function complete_backtest(p_job uuid, p_worker text, p_attempt int, p_result jsonb)
returns uuid
language plpgsql volatile as $$
declare
    v_job bot_jobs%rowtype;
    v_bot bots%rowtype;
    v_inst instruments%rowtype;
    v_s backtest_sessions%rowtype;
    v_session uuid;
begin
    update bot_jobs
       set status = 'COMPLETED', finished_at = now(), updated_at = now(), lease_expires_at = null,
           error_code = null, error_message = null
     where id = p_job and status = 'RUNNING' and worker_id = p_worker and attempt = p_attempt
    returning * into v_job;
    if not found then
        raise exception 'LEASE_LOST' using errcode = 'P0001',
            detail = format('job %s is not RUNNING under worker %s at attempt %s', p_job, p_worker, p_attempt);
    end if;
    if v_job.job_type not in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH') then
        raise exception 'NOT_A_BACKTEST_JOB' using errcode = '22023',
            detail = format('job %s is %s; use complete_job', p_job, v_job.job_type);
    end if;
    if p_result is null or jsonb_typeof(p_result -> 'session') is distinct from 'object' then
        raise exception 'INVALID_RESULT' using errcode = '22023', detail = 'p_result.session must be an object';
    end if;

    select * into v_bot from bots where id = v_job.bot_id;
    v_s := jsonb_populate_record(null::backtest_sessions, p_result -> 'session');
    if v_s.instrument is not null and v_s.instrument <> v_bot.instrument then
        raise exception 'INSTRUMENT_MISMATCH' using errcode = '22023',
            detail = format('bot %s trades %s, the result is for %s', v_bot.id, v_bot.instrument, v_s.instrument);
    end if;
    select * into v_inst from instruments where symbol = v_bot.instrument;

    insert into backtest_sessions (
        bot_id, job_id, status, instrument, tick_size, contract_multiplier, timeframe, window_from, window_to,
        bars_tested, data_source, data_fingerprint, params, params_hash, iteration, trades_count, realized_pnl,
        sharpe, sortino, max_drawdown_usd, max_drawdown_pct, profit_factor, win_rate, expectancy, sqn,
        metrics, equity_curve, engine_version, started_at, completed_at, duration_ms, trace_id)
    values (
        v_bot.id, v_job.id, 'COMPLETED', v_bot.instrument, coalesce(v_s.tick_size, v_inst.tick_size),
        coalesce(v_s.contract_multiplier, v_inst.multiplier), coalesce(v_s.timeframe, v_bot.timeframe),
        v_s.window_from, v_s.window_to, v_s.bars_tested, v_s.data_source, v_s.data_fingerprint,
        coalesce(v_s.params, v_bot.params), coalesce(v_s.params_hash, v_bot.params_hash),
        coalesce(v_s.iteration, v_bot.iteration), v_s.trades_count, v_s.realized_pnl,
        v_s.sharpe, v_s.sortino, v_s.max_drawdown_usd, v_s.max_drawdown_pct, v_s.profit_factor, v_s.win_rate,
        v_s.expectancy, v_s.sqn, v_s.metrics, v_s.equity_curve, v_s.engine_version,
        coalesce(v_s.started_at, v_job.started_at), coalesce(v_s.completed_at, now()),
        coalesce(v_s.duration_ms,
                 extract(epoch from (coalesce(v_s.completed_at, now()) - coalesce(v_s.started_at, v_job.started_at))) * 1000),
        v_job.trace_id)
    returning id into v_session;

    if jsonb_typeof(p_result -> 'trades') = 'array' then
        insert into trade_logs (session_id, bot_id, seq, side, contracts, entry_time, entry_price, exit_time,
                                exit_price, exit_reason, pnl, costs)
        select v_session, v_bot.id, t.seq, t.side, t.contracts, t.entry_time, t.entry_price, t.exit_time,
               t.exit_price, t.exit_reason, t.pnl, coalesce(t.costs, 0)
          from jsonb_populate_recordset(null::trade_logs, p_result -> 'trades') as t;
    end if;

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
