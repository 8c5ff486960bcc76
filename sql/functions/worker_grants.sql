-- Everything a worker needs from the database, and all that gauntlet_worker (a
-- worker on another machine, docs/scaling.md) may do: read the job kinds, and call
-- the queue functions below. Each of them is SECURITY DEFINER with its search_path
-- pinned, so it writes the queue's tables with its owner's rights and the role needs
-- no table privilege; EXECUTE is taken from PUBLIC so that only roles granted it call
-- them. pgTAP 030 checks the list against the functions that are SECURITY DEFINER.
do $$
declare
    f regprocedure;
begin
    foreach f in array array[
        'claim_jobs(text, text[], int)',
        'heartbeat_jobs(text, uuid[])',
        'record_worker_heartbeat(text, text, int, int, text[], text)',
        'record_usage(uuid, jsonb)',
        'complete_leased_job(uuid, text, int, jsonb)',
        'complete_leased_jobs(uuid[], int[], text)',
        'fail_job(uuid, text, int, text, text, text, boolean)',
        'release_jobs(text, uuid[])',
        'rescue_expired_leases()'
    ]::regprocedure[] loop
        execute format('revoke execute on function %s from public', f);
        execute format('grant execute on function %s to gauntlet_worker', f);
    end loop;
end $$;

grant select on job_kinds to gauntlet_worker;
