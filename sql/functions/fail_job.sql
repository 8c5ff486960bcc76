-- Reports a failed attempt of a job held by p_worker at p_attempt (else P0001
-- LEASE_LOST, nothing written). While p_retryable and attempt < max_attempts the
-- job goes back to QUEUED with run_after = now() + retry_backoff_seconds ·
-- 2^(attempt-1); otherwise it is FAILED. job_run_events: RUNNING → QUEUED|FAILED,
-- reason = the error code, details {message, suggested_fix, will_retry, run_after}.
-- Backtest types also write BACKTEST_FAILED {error_code, message, suggested_fix,
-- attempt, max_attempts, will_retry, job_type}, a FAILED backtest_sessions row
-- when final, and feed the circuit breaker (note_backtest_failure). Other types
-- except NOOP write JOB_FAILED (same payload) when final. p_error_code is
-- normalised to upper snake case. Returns the job's new status.
create or replace function fail_job(
    p_job uuid, p_worker text, p_attempt int, p_error_code text, p_message text,
    p_suggested_fix text default null, p_retryable boolean default true
) returns text
language plpgsql volatile as $$
declare
    v_code text := coalesce(nullif(upper(trim(both '_' from regexp_replace(coalesce(p_error_code, ''), '[^A-Za-z0-9]+', '_', 'g'))), ''),
                            'UNKNOWN_ERROR');
    v_backoff numeric;
    v_job bot_jobs%rowtype;
    v_retry boolean;
    v_payload jsonb;
begin
    if v_code !~ '^[A-Z]' then
        v_code := 'E_' || v_code;
    end if;
    select coalesce((select (value #>> '{}')::numeric from settings where key = 'retry_backoff_seconds'), 10)
      into v_backoff;

    update bot_jobs
       set status = case when coalesce(p_retryable, true) and attempt < max_attempts then 'QUEUED' else 'FAILED' end,
           run_after = case when coalesce(p_retryable, true) and attempt < max_attempts
                            then now() + make_interval(secs => v_backoff * 2 ^ (attempt - 1)) else run_after end,
           finished_at = case when coalesce(p_retryable, true) and attempt < max_attempts then null else now() end,
           worker_id = null, lease_expires_at = null, error_code = v_code, error_message = p_message,
           updated_at = now()
     where id = p_job and status = 'RUNNING' and worker_id = p_worker and attempt = p_attempt
    returning * into v_job;
    if not found then
        raise exception 'LEASE_LOST' using errcode = 'P0001',
            detail = format('job %s is not RUNNING under worker %s at attempt %s', p_job, p_worker, p_attempt);
    end if;
    v_retry := v_job.status = 'QUEUED';

    insert into job_run_events (job_id, from_status, to_status, reason_code, worker_id, attempt, trace_id, details)
    values (v_job.id, 'RUNNING', v_job.status, v_code, p_worker, v_job.attempt, v_job.trace_id,
            jsonb_build_object('message', p_message, 'suggested_fix', p_suggested_fix, 'will_retry', v_retry,
                               'run_after', case when v_retry then v_job.run_after end));

    if v_job.job_type = 'NOOP' then
        return v_job.status;
    end if;
    v_payload := jsonb_build_object('error_code', v_code, 'message', p_message, 'suggested_fix', p_suggested_fix,
                                    'attempt', v_job.attempt, 'max_attempts', v_job.max_attempts,
                                    'will_retry', v_retry, 'job_type', v_job.job_type,
                                    'run_after', case when v_retry then v_job.run_after end);

    if v_job.job_type in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH') then
        if not v_retry then
            insert into backtest_sessions (bot_id, job_id, status, instrument, tick_size, contract_multiplier, timeframe,
                                           params, params_hash, iteration, started_at, completed_at, duration_ms,
                                           trace_id, error_code, error_message)
            select b.id, v_job.id, 'FAILED', b.instrument, i.tick_size, i.multiplier, b.timeframe, b.params,
                   b.params_hash, b.iteration, coalesce(v_job.started_at, now()), now(),
                   extract(epoch from (now() - coalesce(v_job.started_at, now()))) * 1000,
                   v_job.trace_id, v_code, p_message
              from bots b join instruments i on i.symbol = b.instrument
             where b.id = v_job.bot_id
            on conflict (job_id) do nothing;
        end if;
        insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
        values ('BACKTEST_FAILED', v_job.bot_id, v_job.id, v_job.trace_id, v_payload);
        perform note_backtest_failure(v_code, v_job.trace_id);
    elsif not v_retry then
        insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
        values ('JOB_FAILED', v_job.bot_id, v_job.id, v_job.trace_id, v_payload);
    end if;
    return v_job.status;
end
$$;
