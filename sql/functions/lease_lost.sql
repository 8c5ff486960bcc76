-- The refusal when lease_held() does not hold: P0001 LEASE_LOST. The worker
-- drops the result (its lease was rescued, released or cancelled); the caller's
-- statement and transaction write nothing.
create or replace function lease_lost(p_job uuid, p_worker text, p_attempt int, p_what text default null) returns void
language plpgsql as $$
begin
    raise exception 'LEASE_LOST' using errcode = 'P0001',
        detail = coalesce(p_what, format('job %s is not RUNNING under worker %s at attempt %s', p_job, p_worker, p_attempt));
end
$$;
