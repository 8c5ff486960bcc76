-- The failure recorder of GRID (job_kinds.failure_recorder; called by
-- record_job_failure when the plan gives up): its run ends in ERROR with the
-- planner's code and message (GET /api/backtests/latest then reports it as lastError).
create or replace function record_research_plan_failure(p_job bot_jobs, p_code text, p_message text) returns void
language sql volatile as $$
    update research_runs set state = 'ERROR', finished_at = now(), message = p_code || ': ' || coalesce(p_message, '')
     where id = (p_job.payload ->> 'run_id')::uuid and state in ('QUEUED', 'RUNNING');
$$;
