-- The lease rescuer (schedule 'lease_rescuer', and every worker heartbeat): every
-- RUNNING job whose lease_expires_at has passed — or whose worker is DEAD, its
-- database session gone (worker_state), which is seconds after a kill -9 rather than
-- a whole lease — times out (RUNNING → TIMEOUT, reason LEASE_EXPIRED or WORKER_GONE,
-- details {lost_worker, lease_expires_at}) and, in the same
-- transaction, is queued again (TIMEOUT → QUEUED, RETRY_AFTER_TIMEOUT, run_after =
-- now()) or, at max_attempts, FAILED (TIMEOUT → FAILED, MAX_ATTEMPTS_REACHED); the
-- bot_jobs trigger writes both job_run_events rows. record_job_failure writes the
-- feed event and a final backtest's FAILED session (error LEASE_EXPIRED or WORKER_GONE).
-- Timeouts do not feed the circuit breaker (a crashed worker is not a failing
-- provider). The lost worker's late result is then rejected as LEASE_LOST. Rows
-- locked by someone else are skipped until the next run. Returns the number of
-- jobs rescued.
create or replace function rescue_expired_leases() returns int
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    v_ids uuid[];
    v_job bot_jobs%rowtype;
begin
    with gone as (
        select w.worker_id from worker_heartbeats w where w.status = 'RUNNING' and worker_state(w) = 'DEAD'
    ), expired as (
        select j.id, j.worker_id, j.lease_expires_at,
               case when j.lease_expires_at < now() then 'LEASE_EXPIRED' else 'WORKER_GONE' end as reason
          from bot_jobs j
         where j.status = 'RUNNING'
           and (j.lease_expires_at < now() or j.worker_id in (select worker_id from gone))
           for update skip locked
    ), timed_out as (
        update bot_jobs j
           -- worker_id stays until the row moves on, so both events name the lost worker.
           set status = 'TIMEOUT', lease_expires_at = null, error_code = e.reason,
               error_message = case e.reason
                                   when 'LEASE_EXPIRED' then format('lease held by %s expired at %s', e.worker_id, e.lease_expires_at)
                                   else format('the database session of worker %s is gone', e.worker_id) end,
               updated_at = now(), status_reason = e.reason,
               status_details = jsonb_build_object('lost_worker', e.worker_id, 'lease_expires_at', e.lease_expires_at)
          from expired e
         where j.id = e.id
        returning j.id
    )
    select coalesce(array_agg(id), '{}') into v_ids from timed_out;
    if cardinality(v_ids) = 0 then
        return 0;
    end if;

    for v_job in
        update bot_jobs j
           set status = case when j.attempt >= j.max_attempts then 'FAILED' else 'QUEUED' end,
               finished_at = case when j.attempt >= j.max_attempts then now() end,
               run_after = case when j.attempt >= j.max_attempts then j.run_after else now() end,
               worker_id = null,
               status_reason = case when j.attempt >= j.max_attempts then 'MAX_ATTEMPTS_REACHED'
                                    else 'RETRY_AFTER_TIMEOUT' end,
               updated_at = now()
         where j.id = any (v_ids)
        returning j.*
    loop
        perform record_job_failure(v_job, v_job.error_code,
                                   format('worker %s stopped heartbeating', v_job.status_details ->> 'lost_worker'),
                                   'none needed: the job is retried automatically while attempts remain',
                                   p_feeds_breaker => false);
    end loop;
    return cardinality(v_ids);
end
$$;
