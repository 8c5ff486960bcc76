-- Completes a job that records nothing of its own (NOOP, GRID, RUNNER_START)
-- held by p_worker at p_attempt: RUNNING → COMPLETED with a job_run_events row
-- (reason COMPLETED, details = p_result), no feed event. Same lease rule as
-- finish_leased_job (P0001 LEASE_LOST, nothing written), kept as one statement
-- because the no-op queue benchmark runs through it. Jobs that must record
-- something are refused (22023): USE_COMPLETE_BACKTEST, USE_COMPLETE_EVOLVE,
-- USE_COMPLETE_IMPROVE.
create or replace function complete_job(p_job uuid, p_worker text, p_attempt int, p_result jsonb default '{}')
returns void
language plpgsql volatile as $$
declare
    v_type text;
begin
    with done as (
        update bot_jobs
           set status = 'COMPLETED', finished_at = now(), updated_at = now(), lease_expires_at = null
         where id = p_job and status = 'RUNNING' and worker_id = p_worker and attempt = p_attempt
        returning id, job_type, attempt, trace_id
    ), ev as (
        insert into job_run_events (job_id, from_status, to_status, reason_code, worker_id, attempt, trace_id, details)
        select d.id, 'RUNNING', 'COMPLETED', 'COMPLETED', p_worker, d.attempt, d.trace_id, coalesce(p_result, '{}')
          from done d
    )
    select d.job_type into v_type from done d;

    if v_type is null then
        raise exception 'LEASE_LOST' using errcode = 'P0001',
            detail = format('job %s is not RUNNING under worker %s at attempt %s', p_job, p_worker, p_attempt);
    elsif v_type in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH') then
        raise exception 'USE_COMPLETE_BACKTEST' using errcode = '22023',
            detail = format('job %s is a backtest; complete_backtest records its session', p_job);
    elsif v_type = 'EVOLVE' then
        raise exception 'USE_COMPLETE_EVOLVE' using errcode = '22023',
            detail = format('job %s is an evolution; complete_evolve creates the new generation', p_job);
    elsif v_type = 'IMPROVE' then
        raise exception 'USE_COMPLETE_IMPROVE' using errcode = '22023',
            detail = format('job %s is an improvement; complete_improve records its session', p_job);
    end if;
end
$$;
