-- Extends the lease of the given RUNNING jobs that p_worker still owns and
-- returns how many those are: a worker drops (stops working on) any job not
-- counted — it was rescued, released or cancelled, and its result would be
-- rejected as LEASE_LOST anyway.
create or replace function heartbeat_jobs(p_worker text, p_jobs uuid[]) returns int
language plpgsql volatile as $$
declare
    v_lease interval;
    v_n int;
begin
    select make_interval(secs => coalesce((select (value #>> '{}')::numeric from settings
                                           where key = 'job_lease_seconds'), 60))
      into v_lease;
    update bot_jobs
       set heartbeat_at = now(), lease_expires_at = now() + v_lease, updated_at = now()
     where id = any(p_jobs) and status = 'RUNNING' and worker_id = p_worker;
    get diagnostics v_n = row_count;
    return v_n;
end
$$;
