-- Cancels a QUEUED or RUNNING job: → CANCELLED with reason p_reason (the bot_jobs
-- trigger writes the job_run_events row) and, except for NOOP, JOB_CANCELLED
-- {job_type, from_status, reason_code}. A worker still running it loses its lease
-- (heartbeat_jobs stops counting it; its result is LEASE_LOST). Cancelling an
-- evolved candidate's baseline rejects the candidate (select_evolution:
-- NO_EVIDENCE). Unknown job → P0002
-- JOB_NOT_FOUND. Returns the job's status afterwards (unchanged when it had
-- already finished).
create or replace function cancel_job(p_job uuid, p_reason text default 'CANCELLED_BY_USER') returns text
language plpgsql volatile as $$
declare
    v_from text;
    v_job bot_jobs%rowtype;
begin
    select status into v_from from bot_jobs where id = p_job for update;
    if not found then
        raise exception 'JOB_NOT_FOUND' using errcode = 'P0002', detail = format('no job with id %s', p_job);
    end if;
    if v_from not in ('QUEUED', 'RUNNING') then
        return v_from;
    end if;
    update bot_jobs
       set status = 'CANCELLED', finished_at = now(), lease_expires_at = null, updated_at = now(),
           status_reason = p_reason, status_details = '{}'
     where id = p_job
    returning * into v_job;
    if v_job.job_type <> 'NOOP' then
        insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
        values ('JOB_CANCELLED', v_job.bot_id, p_job, v_job.trace_id,
                jsonb_build_object('job_type', v_job.job_type, 'from_status', v_from, 'reason_code', p_reason));
    end if;
    -- A candidate whose baseline will not run has no evidence: rejected, so it
    -- does not hold its lineage's candidate slot forever.
    if v_job.job_type = 'BACKTEST_BASELINE' then
        perform select_evolution(v_job.bot_id, null);
    end if;
    return 'CANCELLED';
end
$$;
