-- Graceful worker shutdown: the given RUNNING jobs p_worker holds go back to
-- QUEUED (run_after = now()) with attempt - 1, since the attempt never ran to an
-- end (reason WORKER_SHUTDOWN; the bot_jobs trigger writes the job_run_events
-- row); kinds with a queued_event write it again {job_type, reason_code, attempt}.
-- Returns how many.
create or replace function release_jobs(p_worker text, p_jobs uuid[]) returns int
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    v_n int;
begin
    with rel as (
        update bot_jobs
           set status = 'QUEUED', attempt = attempt - 1, worker_id = null, lease_expires_at = null,
               heartbeat_at = null, started_at = null, run_after = now(), updated_at = now(),
               status_reason = 'WORKER_SHUTDOWN', status_details = '{}'
         where id = any(p_jobs) and status = 'RUNNING' and worker_id = p_worker
        returning id, bot_id, job_type, attempt, trace_id
    ), feed as (
        insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
        select k.queued_event, r.bot_id, r.id, r.trace_id,
               jsonb_build_object('job_type', r.job_type, 'reason_code', 'WORKER_SHUTDOWN', 'attempt', r.attempt)
          from rel r join job_kinds k on k.kind = r.job_type
         where k.queued_event is not null
    )
    select count(*) into v_n from rel;
    return v_n;
end
$$;
