-- The lease check every completion shares: the job must be RUNNING under
-- p_worker at p_attempt (else P0001 LEASE_LOST: the lease was lost, a late
-- result must not count) and of one of p_types (else 22023 p_wrong_type).
-- Marks it COMPLETED and returns the row; the caller writes its own audit row
-- and effects in the same transaction, so a later error undoes this too.
create or replace function finish_leased_job(p_job uuid, p_worker text, p_attempt int, p_types text[],
                                             p_wrong_type text)
returns bot_jobs
language plpgsql volatile as $$
declare
    v_job bot_jobs%rowtype;
begin
    update bot_jobs
       set status = 'COMPLETED', finished_at = now(), updated_at = now(), lease_expires_at = null,
           error_code = null, error_message = null
     where id = p_job and status = 'RUNNING' and worker_id = p_worker and attempt = p_attempt
    returning * into v_job;
    if not found then
        raise exception 'LEASE_LOST' using errcode = 'P0001',
            detail = format('job %s is not RUNNING under worker %s at attempt %s', p_job, p_worker, p_attempt);
    end if;
    if not (v_job.job_type = any (p_types)) then
        raise exception '%', p_wrong_type using errcode = '22023',
            detail = format('job %s is %s', p_job, v_job.job_type);
    end if;
    return v_job;
end
$$;
