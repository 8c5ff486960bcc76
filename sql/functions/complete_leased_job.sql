-- The one completion entry point for every kind of job. Only the current lease
-- holder may complete: unless the job is RUNNING under p_worker at p_attempt it
-- raises P0001 LEASE_LOST and writes nothing (a late result from a rescued,
-- released or cancelled lease never counts; backtest_sessions.job_id UNIQUE backs
-- this up). A lease that expired but was not yet rescued is still held.
--
-- Then it dispatches to the kind's recorder (job_kinds.recorder), which writes the
-- kind's results and feed event from p_result and returns a jsonb document; its
-- "reason_code" (default COMPLETED) and the rest of the document become the
-- RUNNING → COMPLETED transition's reason and details (the bot_jobs trigger
-- writes the job_run_events row). All in the caller's transaction: a recorder that
-- raises (22023 INVALID_RESULT, P0001 POPULATION_CAP …) leaves the job RUNNING and
-- writes nothing. Returns the recorder's document without reason_code ({} for a
-- kind with no recorder, e.g. NOOP).
create or replace function complete_leased_job(p_job uuid, p_worker text, p_attempt int, p_result jsonb default '{}')
returns jsonb
language plpgsql volatile as $$
declare
    v_job bot_jobs%rowtype;
    v_recorder text;
    v_doc jsonb := '{}';
begin
    -- Kinds with nothing to record (NOOP) finish through the batch path.
    if (select k.recorder is null from bot_jobs j join job_kinds k on k.kind = j.job_type where j.id = p_job) then
        perform complete_leased_jobs(array[p_job], array[p_attempt], p_worker);
        return '{}';
    end if;

    select j.* into v_job from bot_jobs j
     where j.id = p_job and j.status = 'RUNNING' and j.worker_id = p_worker and j.attempt = p_attempt
       for update;
    if not found then
        raise exception 'LEASE_LOST' using errcode = 'P0001',
            detail = format('job %s is not RUNNING under worker %s at attempt %s', p_job, p_worker, p_attempt);
    end if;
    select k.recorder into v_recorder from job_kinds k where k.kind = v_job.job_type;
    execute format('select %I($1, $2)', v_recorder) into v_doc using v_job, coalesce(p_result, '{}');
    v_doc := coalesce(v_doc, '{}');

    update bot_jobs
       set status = 'COMPLETED', finished_at = now(), updated_at = now(), lease_expires_at = null,
           error_code = null, error_message = null,
           status_reason = coalesce(v_doc ->> 'reason_code', 'COMPLETED'), status_details = v_doc - 'reason_code'
     where id = p_job;
    return v_doc - 'reason_code';
end
$$;
