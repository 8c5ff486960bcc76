-- Internal to record_backtest and record_improvement (callers hold the job's lease
-- and complete_leased_job completes the job after them, in the same transaction): inserts the
-- backtest_sessions row (status COMPLETED) of p_result.session for the job's bot
-- (walk-forward columns — oos_from/oos_to, folds, walk_forward, the *_ci_* bounds,
-- deflated_sharpe, trials — null when the result has none),
-- and a trade_logs row per element of p_result.trades. Returns the session id.
-- Missing instrument, tick_size, contract_multiplier, timeframe, params,
-- params_hash, iteration, started_at, completed_at and duration_ms default to the
-- bot's / instrument's / job's values. p_result.session not an object → 22023
-- INVALID_RESULT; an instrument other than the bot's → 22023 INSTRUMENT_MISMATCH; a
-- value breaking a constraint → 23xxx (and the caller's transaction writes nothing).
create or replace function record_backtest_session(p_job uuid, p_result jsonb)
returns uuid
language plpgsql volatile as $$
declare
    v_job bot_jobs%rowtype;
    v_bot bots%rowtype;
    v_inst instruments%rowtype;
    v_s backtest_sessions%rowtype;
    v_session uuid;
begin
    if p_result is null or jsonb_typeof(p_result -> 'session') is distinct from 'object' then
        raise exception 'INVALID_RESULT' using errcode = '22023', detail = 'p_result.session must be an object';
    end if;
    select * into v_job from bot_jobs where id = p_job;
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
        metrics, equity_curve, engine_version, started_at, completed_at, duration_ms, trace_id,
        sessions_tested, oos_from, oos_to, folds, walk_forward, sharpe_ci_low, sharpe_ci_high, expectancy_ci_low,
        expectancy_ci_high, profit_factor_ci_low, profit_factor_ci_high, deflated_sharpe, trials)
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
        v_job.trace_id,
        v_s.sessions_tested, v_s.oos_from, v_s.oos_to, v_s.folds, v_s.walk_forward, v_s.sharpe_ci_low, v_s.sharpe_ci_high,
        v_s.expectancy_ci_low, v_s.expectancy_ci_high, v_s.profit_factor_ci_low, v_s.profit_factor_ci_high,
        v_s.deflated_sharpe, v_s.trials)
    returning id into v_session;

    if jsonb_typeof(p_result -> 'trades') = 'array' then
        insert into trade_logs (session_id, bot_id, seq, side, contracts, entry_time, entry_price, exit_time,
                                exit_price, exit_reason, entry_reason, pnl, costs)
        select v_session, v_bot.id, t.seq, t.side, t.contracts, t.entry_time, t.entry_price, t.exit_time,
               t.exit_price, t.exit_reason, t.entry_reason, t.pnl, coalesce(t.costs, 0)
          from jsonb_populate_recordset(null::trade_logs, p_result -> 'trades') as t;
    end if;
    return v_session;
end
$$;
