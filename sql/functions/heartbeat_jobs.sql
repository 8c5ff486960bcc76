-- Extends the lease of the given RUNNING jobs that p_worker still owns (by the
-- kind's lease_seconds, else settings.job_lease_seconds) and returns how many
-- those are: a worker drops (stops working on) any job not counted — it was
-- rescued, released or cancelled, and its result would be rejected as LEASE_LOST
-- anyway.
create or replace function heartbeat_jobs(p_worker text, p_jobs uuid[]) returns int
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    v_lease int := setting('job_lease_seconds')::int;
    v_n int;
begin
    update bot_jobs j
       set heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => coalesce(k.lease_seconds, v_lease)),
           updated_at = now()
      from job_kinds k
     where j.id = any(p_jobs) and j.status = 'RUNNING' and j.worker_id = p_worker and k.kind = j.job_type;
    get diagnostics v_n = row_count;
    return v_n;
end
$$;
