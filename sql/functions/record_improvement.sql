-- The recorder of IMPROVE (job_kinds.recorder; called by complete_leased_job,
-- which holds the lease), all or nothing: the candidate's out-of-sample session
-- and trades (through record_backtest_session, the insert path record_backtest
-- uses) with iteration = the bot's iteration + 1 and the candidate's params and
-- params_hash; when p_result.adopted, the bot's params, params_hash and iteration
-- become the candidate's (not adopted: the bot is unchanged, but the session is
-- still recorded, so the proof shows every tried iteration and hash — bot_evidence
-- ignores it); and the kind's completed_event (IMPROVE_COMPLETED {adopted,
-- iteration, params_hash, previous_params_hash, in_sample, out_of_sample,
-- mutation, session_id}). Returns {reason_code: IMPROVE_RECORDED, session_id, adopted}.
--
-- p_result: {"adopted": bool, "params": {…}, "params_hash": "…", "iteration": n,
-- "in_sample": {"current": {…}, "candidate": {…}}, "out_of_sample": {…},
-- "mutation": {…}, "session": {…as record_backtest…}, "trades": […]}. The worker
-- decides adoption by the documented rule (docs/autonomy.md); its iteration is
-- advisory, the bot's row is authoritative.
--
-- Refusals, each writing nothing: adopted not a boolean, params not an object,
-- params_hash missing or session not an object → 22023 INVALID_RESULT; an
-- instrument other than the bot's → 22023 INSTRUMENT_MISMATCH; a value breaking a
-- constraint → 23xxx.
create or replace function record_improvement(p_job bot_jobs, p_result jsonb) returns jsonb
language plpgsql volatile as $$
declare
    v_bot bots%rowtype;
    v_iteration int;
    v_adopted boolean;
    v_session uuid;
begin
    if jsonb_typeof(p_result -> 'adopted') is distinct from 'boolean'
       or jsonb_typeof(p_result -> 'params') is distinct from 'object'
       or coalesce(p_result ->> 'params_hash', '') = '' then
        raise exception 'INVALID_RESULT' using errcode = '22023',
            detail = 'p_result needs adopted (a boolean), params (an object) and params_hash';
    end if;
    v_adopted := (p_result ->> 'adopted')::boolean;

    -- Locked so the iteration number cannot be taken twice.
    select * into v_bot from bots where id = p_job.bot_id for update;
    v_iteration := v_bot.iteration + 1;

    v_session := record_backtest_session(p_job.id, jsonb_build_object(
        'session', case when jsonb_typeof(p_result -> 'session') = 'object'
                        then (p_result -> 'session') || jsonb_build_object(
                                 'params', p_result -> 'params', 'params_hash', p_result ->> 'params_hash',
                                 'iteration', v_iteration)
                   end,
        'trades', p_result -> 'trades'));

    if v_adopted then
        update bots
           set params = p_result -> 'params', params_hash = p_result ->> 'params_hash', iteration = v_iteration,
               updated_at = now()
         where id = v_bot.id;
    end if;

    insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
    select k.completed_event, v_bot.id, p_job.id, p_job.trace_id,
           jsonb_build_object('adopted', v_adopted, 'iteration', v_iteration,
                              'params_hash', p_result ->> 'params_hash', 'previous_params_hash', v_bot.params_hash,
                              'in_sample', coalesce(p_result -> 'in_sample', '{}'),
                              'out_of_sample', coalesce(p_result -> 'out_of_sample', '{}'),
                              'mutation', coalesce(p_result -> 'mutation', '{}'), 'session_id', v_session)
      from job_kinds k where k.kind = p_job.job_type;
    return jsonb_build_object('reason_code', 'IMPROVE_RECORDED', 'session_id', v_session, 'adopted', v_adopted);
end
$$;
