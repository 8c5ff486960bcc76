-- Completes a non-backtest job (NOOP now; IMPROVE/EVOLVE later) held by
-- p_worker at p_attempt: RUNNING → COMPLETED with a job_run_events row (reason
-- COMPLETED, details = p_result). IMPROVE also writes IMPROVE_COMPLETED
-- (payload = p_result); NOOP writes no feed event. Same lease rule as
-- complete_backtest: otherwise P0001 LEASE_LOST and nothing written. A backtest
-- job → 22023 USE_COMPLETE_BACKTEST (a backtest must record its session).
create or replace function complete_job(p_job uuid, p_worker text, p_attempt int, p_result jsonb default '{}')
returns void
language plpgsql volatile as $$
declare
    v_type text;
    v_bot uuid;
    v_trace uuid;
begin
    with done as (
        update bot_jobs
           set status = 'COMPLETED', finished_at = now(), updated_at = now(), lease_expires_at = null
         where id = p_job and status = 'RUNNING' and worker_id = p_worker and attempt = p_attempt
        returning id, job_type, bot_id, attempt, trace_id
    ), ev as (
        insert into job_run_events (job_id, from_status, to_status, reason_code, worker_id, attempt, trace_id, details)
        select d.id, 'RUNNING', 'COMPLETED', 'COMPLETED', p_worker, d.attempt, d.trace_id, coalesce(p_result, '{}')
          from done d
    )
    select d.job_type, d.bot_id, d.trace_id into v_type, v_bot, v_trace from done d;

    if v_type is null then
        raise exception 'LEASE_LOST' using errcode = 'P0001',
            detail = format('job %s is not RUNNING under worker %s at attempt %s', p_job, p_worker, p_attempt);
    elsif v_type in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH') then
        raise exception 'USE_COMPLETE_BACKTEST' using errcode = '22023',
            detail = format('job %s is a backtest; complete_backtest records its session', p_job);
    elsif v_type = 'IMPROVE' then
        insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
        values ('IMPROVE_COMPLETED', v_bot, p_job, v_trace,
                case when jsonb_typeof(p_result) = 'object' then p_result else '{}' end);
    end if;
end
$$;
