-- Whether a RUNNING paper run has gone quiet: no heartbeat (or, before the first, no
-- start) for 10 s — its runner is frozen or dead, and the next runner on the account
-- resumes it. Null for a finished run. The one home of the threshold.
create or replace function paper_run_stale(p_run paper_runs) returns boolean
language sql stable as $$
    select case when p_run.status = 'RUNNING'
                then coalesce(p_run.heartbeat_at, p_run.started_at) < now() - interval '10 seconds' end
$$;
