-- Completes a batch of jobs whose kinds record nothing (job_kinds.recorder null,
-- e.g. NOOP) in one statement — the worker acknowledges a claimed batch of
-- instant jobs this way, and complete_leased_job uses it for one such job.
-- All or nothing: unless every job is RUNNING under p_worker at its attempt
-- (p_attempts[i]) and of a kind without a recorder, it raises P0001 LEASE_LOST
-- and nothing is written (the caller then settles the jobs one by one).
-- RUNNING → COMPLETED, reason COMPLETED (the bot_jobs trigger writes the events).
-- Returns how many jobs it completed.
create or replace function complete_leased_jobs(p_jobs uuid[], p_attempts int[], p_worker text) returns int
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    v_n int;
begin
    update bot_jobs j
       set status = 'COMPLETED', finished_at = now(), updated_at = now(), lease_expires_at = null,
           error_code = null, error_message = null, status_reason = 'COMPLETED', status_details = '{}'
      from unnest(p_jobs, p_attempts) as x(id, attempt), job_kinds k
     where j.id = x.id and lease_held(j, p_worker, x.attempt) and k.kind = j.job_type and k.recorder is null;
    get diagnostics v_n = row_count;
    if v_n <> coalesce(cardinality(p_jobs), 0) then
        perform lease_lost(null, p_worker, null,
                           format('%s of %s jobs are RUNNING under worker %s at their attempt with nothing to record',
                                  v_n, coalesce(cardinality(p_jobs), 0), p_worker));
    end if;
    return v_n;
end
$$;
