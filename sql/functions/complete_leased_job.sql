-- The one completion entry point for every kind of job. Only the current lease
-- holder may complete (lease_held): anyone else gets P0001 LEASE_LOST and nothing
-- is written (a late result from a rescued, released or cancelled lease never
-- counts; backtest_sessions.job_id UNIQUE backs this up).
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
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    v_claim record;
    v_doc jsonb;
begin
    select j as job, k.recorder into v_claim
      from bot_jobs j join job_kinds k on k.kind = j.job_type
     where j.id = p_job and lease_held(j, p_worker, p_attempt)
       for update of j;
    if not found then
        perform lease_lost(p_job, p_worker, p_attempt);
    end if;
    -- Kinds with nothing to record (NOOP) finish through the batch path.
    if v_claim.recorder is null then
        perform complete_leased_jobs(array[p_job], array[p_attempt], p_worker);
        return '{}';
    end if;

    execute format('select %I($1, $2)', v_claim.recorder) into v_doc using v_claim.job, coalesce(p_result, '{}');
    v_doc := coalesce(v_doc, '{}');

    update bot_jobs
       set status = 'COMPLETED', finished_at = now(), updated_at = now(), lease_expires_at = null,
           error_code = null, error_message = null,
           status_reason = coalesce(v_doc ->> 'reason_code', 'COMPLETED'), status_details = v_doc - 'reason_code'
     where id = p_job;
    return v_doc - 'reason_code';
end
$$;
