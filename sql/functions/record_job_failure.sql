-- What a failed attempt leaves besides its status change (called by fail_job and
-- rescue_expired_leases with the job row as it is after the change: QUEUED when
-- it will be retried, FAILED when final). The kind's failed_event goes to the feed
-- {error_code, message, suggested_fix, attempt, max_attempts, will_retry,
-- job_type, run_after} — for backtest kinds (job_kinds.is_backtest) on every
-- failed attempt, for other kinds only when final — and a backtest that gives up
-- records a FAILED backtest_sessions row with the bot's current params (once per
-- job: backtest_sessions.job_id is unique), and an evolved CANDIDATE whose
-- baseline gave up is rejected (select_evolution: NO_EVIDENCE); and a kind with a
-- job_kinds.failure_recorder gets it called with (job, code, message) when the job
-- gives up (RESEARCH_CELL: its FAILED row; GRID: its run in ERROR). With p_feeds_breaker (fail_job: a
-- failing provider or engine; not the rescuer: a crashed worker is not) a backtest
-- kind's failure also feeds the 'backtest' circuit breaker (note_backtest_failure).
create or replace function record_job_failure(p_job bot_jobs, p_code text, p_message text, p_suggested_fix text,
                                              p_feeds_breaker boolean)
returns void
language plpgsql volatile as $$
declare
    v_kind job_kinds%rowtype;
    v_retry boolean := p_job.status = 'QUEUED';
begin
    select * into v_kind from job_kinds where kind = p_job.job_type;
    if v_kind.is_backtest and not v_retry then
        insert into backtest_sessions (bot_id, job_id, status, instrument, tick_size, contract_multiplier, timeframe,
                                       params, params_hash, iteration, started_at, completed_at, duration_ms,
                                       trace_id, error_code, error_message)
        select b.id, p_job.id, 'FAILED', b.instrument, i.tick_size, i.multiplier, b.timeframe, b.params,
               b.params_hash, b.iteration, coalesce(p_job.started_at, now()), now(),
               extract(epoch from (now() - coalesce(p_job.started_at, now()))) * 1000,
               p_job.trace_id, p_code, p_message
          from bots b join instruments i on i.symbol = b.instrument
         where b.id = p_job.bot_id
        on conflict (job_id) do nothing;
        -- An evolved candidate whose baseline gave up has no evidence: rejected.
        perform select_evolution(p_job.bot_id, null);
    end if;
    if v_kind.failed_event is not null and (v_kind.is_backtest or not v_retry) then
        insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
        values (v_kind.failed_event, p_job.bot_id, p_job.id, p_job.trace_id,
                jsonb_build_object('error_code', p_code, 'message', p_message, 'suggested_fix', p_suggested_fix,
                                   'attempt', p_job.attempt, 'max_attempts', p_job.max_attempts,
                                   'will_retry', v_retry, 'job_type', p_job.job_type,
                                   'run_after', case when v_retry then p_job.run_after end));
    end if;
    -- What else a kind's final failure leaves is the kind's own recorder's business.
    if v_kind.failure_recorder is not null and not v_retry then
        execute format('select %I($1, $2, $3)', v_kind.failure_recorder) using p_job, p_code, p_message;
    end if;
    if v_kind.is_backtest and p_feeds_breaker then
        perform note_backtest_failure(p_code, p_job.trace_id);
    end if;
end
$$;
