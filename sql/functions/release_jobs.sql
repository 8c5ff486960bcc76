-- Graceful worker shutdown: the given RUNNING jobs p_worker holds go back to
-- QUEUED (run_after = now()) with attempt - 1, since the attempt never ran to an
-- end. job_run_events: RUNNING → QUEUED, reason WORKER_SHUTDOWN; backtests also
-- write BACKTEST_QUEUED {job_type, reason_code, attempt}. Returns how many.
create or replace function release_jobs(p_worker text, p_jobs uuid[]) returns int
language plpgsql volatile as $$
declare
    v_n int;
begin
    with rel as (
        update bot_jobs
           set status = 'QUEUED', attempt = attempt - 1, worker_id = null, lease_expires_at = null,
               heartbeat_at = null, started_at = null, run_after = now(), updated_at = now()
         where id = any(p_jobs) and status = 'RUNNING' and worker_id = p_worker
        returning id, bot_id, job_type, attempt, trace_id
    ), ev as (
        insert into job_run_events (job_id, from_status, to_status, reason_code, worker_id, attempt, trace_id)
        select r.id, 'RUNNING', 'QUEUED', 'WORKER_SHUTDOWN', p_worker, r.attempt, r.trace_id from rel r
    ), feed as (
        insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
        select 'BACKTEST_QUEUED', r.bot_id, r.id, r.trace_id,
               jsonb_build_object('job_type', r.job_type, 'reason_code', 'WORKER_SHUTDOWN', 'attempt', r.attempt)
          from rel r where r.job_type in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH')
    )
    select count(*) into v_n from rel;
    return v_n;
end
$$;
