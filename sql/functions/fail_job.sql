-- Reports a failed attempt of a job held by p_worker at p_attempt (else P0001
-- LEASE_LOST, nothing written). While p_retryable and attempt < max_attempts the
-- job goes back to QUEUED with run_after = now() + retry_backoff_seconds ·
-- 2^(attempt-1); otherwise it is FAILED. The transition's reason is the error
-- code, its details {message, suggested_fix, will_retry, run_after} (the bot_jobs
-- trigger writes the job_run_events row); the feed event and a final backtest's
-- FAILED session come from record_job_failure, which also feeds a backtest kind's
-- failure to the circuit breaker. p_error_code is normalised to
-- upper snake case. Returns the job's new status.
create or replace function fail_job(
    p_job uuid, p_worker text, p_attempt int, p_error_code text, p_message text,
    p_suggested_fix text default null, p_retryable boolean default true
) returns text
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    v_code text := coalesce(nullif(upper(trim(both '_' from regexp_replace(coalesce(p_error_code, ''), '[^A-Za-z0-9]+', '_', 'g'))), ''),
                            'UNKNOWN_ERROR');
    v_backoff numeric := setting('retry_backoff_seconds')::numeric;
    v_job bot_jobs%rowtype;
begin
    if v_code !~ '^[A-Z]' then
        v_code := 'E_' || v_code;
    end if;

    update bot_jobs j
       set status = case when x.retry then 'QUEUED' else 'FAILED' end,
           run_after = case when x.retry then x.retry_at else j.run_after end,
           finished_at = case when x.retry then null else now() end,
           worker_id = null, lease_expires_at = null, error_code = v_code, error_message = p_message,
           updated_at = now(), status_reason = v_code,
           status_details = jsonb_build_object('message', p_message, 'suggested_fix', p_suggested_fix,
                                               'will_retry', x.retry,
                                               'run_after', case when x.retry then x.retry_at end)
      from (select coalesce(p_retryable, true) and attempt < max_attempts as retry,
                   now() + make_interval(secs => v_backoff * 2 ^ (attempt - 1)) as retry_at
              from bot_jobs where id = p_job) x
     where j.id = p_job and lease_held(j, p_worker, p_attempt)
    returning j.* into v_job;
    if not found then
        perform lease_lost(p_job, p_worker, p_attempt);
    end if;
    perform record_job_failure(v_job, v_code, p_message, p_suggested_fix, p_feeds_breaker => true);
    return v_job.status;
end
$$;
