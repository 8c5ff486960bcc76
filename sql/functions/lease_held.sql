-- The lease rule: a job's result or failure counts only from the worker that
-- holds it — RUNNING, under p_worker, at p_attempt. A lease that expired but was
-- not yet rescued is still held. complete_leased_job, complete_leased_jobs and
-- fail_job filter with it and answer lease_lost() when it does not hold.
create or replace function lease_held(p_job bot_jobs, p_worker text, p_attempt int) returns boolean
language sql immutable as $$
    select p_job.status = 'RUNNING' and p_job.worker_id = p_worker and p_job.attempt = p_attempt
$$;
