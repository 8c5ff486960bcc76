-- Whether a RUNNING paper run has gone quiet (runner_heartbeat_stale of its heartbeat,
-- or its start before the first) — its runner is frozen or dead, and the next runner on
-- the account resumes it. Null for a finished run.
create or replace function paper_run_stale(p_run paper_runs) returns boolean
language sql stable as $$
    select case when p_run.status = 'RUNNING'
                then runner_heartbeat_stale(coalesce(p_run.heartbeat_at, p_run.started_at)) end
$$;
