-- The recorder of EVOLVE (job_kinds.recorder; called by complete_leased_job, which
-- holds the lease), all or nothing: a CANDIDATE child — generation = parent's + 1,
-- parent_bot_id, root_bot_id = the parent's lineage root, origin EVOLVED, stage LAB,
-- iteration 0, the parent's archetype, instrument and timeframe, p_result.params and
-- params_hash, named "<archetype name> Gen N" — not part of the fleet and not
-- promotable; its evolution_selections row (pending: the parent's evidence session
-- it will be compared with, the step scale); its BACKTEST_BASELINE queued at once
-- (reason EVOLVED) on the window of that session, so the verdict (select_evolution,
-- when the baseline is recorded) compares the two on the same bars; and the kind's
-- completed_event (EVOLVED_GENERATION_CREATED) on the parent with
-- {parent_bot_id, new_bot_id, generation, mutation, params_hash, seed, step_scale,
-- parent_session_id}. The parent stays ACTIVE. Returns {reason_code:
-- CANDIDATE_CREATED, new_bot_id, generation}.
--
-- p_result: {"params": {…}, "params_hash": "…", "mutation": {"key": {"from": x,
-- "to": y}, …}, "seed": "hex", "step_scale": x} — the parameters are chosen by the
-- worker (Swift validates them against the archetype's bounds, avoiding the
-- lineage's tried params_hash values); the SQL decides everything else.
--
-- Refusals, each writing nothing: params not an object or params_hash missing →
-- 22023 INVALID_RESULT; P0001 with the reason as message: PARENT_NOT_ACTIVE (the
-- parent is no longer ACTIVE), NO_EVIDENCE (the parent has no effective session to
-- be compared with), DUPLICATE_PARAMS (params_hash already tried in the lineage:
-- lineage_params_hashes), CANDIDATE_PENDING (evolution_hold: the lineage's
-- candidate cap), POPULATION_CAP (ACTIVE bots ≥ population_cap).
-- The worker records them as the job's failure (fail_job).
create or replace function record_evolution(p_job bot_jobs, p_result jsonb) returns jsonb
language plpgsql volatile as $$
declare
    v_parent bots%rowtype;
    v_root uuid;
    v_session backtest_sessions%rowtype;
    v_active int;
    v_generation int;
    v_child uuid;
    v_scale double precision := coalesce((p_result ->> 'step_scale')::double precision, 1);
begin
    if jsonb_typeof(p_result -> 'params') is distinct from 'object' or coalesce(p_result ->> 'params_hash', '') = '' then
        raise exception 'INVALID_RESULT' using errcode = '22023',
            detail = 'p_result needs params (an object) and params_hash';
    end if;

    -- Locked so a concurrent kill or a second evolution of the same parent waits.
    select * into v_parent from bots where id = p_job.bot_id for update;
    v_root := lineage_root(v_parent);
    if v_parent.status <> 'ACTIVE' then
        raise exception 'PARENT_NOT_ACTIVE' using errcode = 'P0001',
            detail = format('bot %s is %s; only an ACTIVE bot evolves', v_parent.id, v_parent.status);
    end if;
    select s.* into v_session from bot_evidence e join backtest_sessions s on s.id = e.session_id
     where e.bot_id = v_parent.id;
    if v_session.id is null then
        raise exception 'NO_EVIDENCE' using errcode = 'P0001',
            detail = format('bot %s has no backtest since its last reset to compare a child with', v_parent.id),
            hint = 'let its baseline finish first';
    end if;
    if (p_result ->> 'params_hash') = any (lineage_params_hashes(v_parent.id)) then
        raise exception 'DUPLICATE_PARAMS' using errcode = 'P0001',
            detail = format('params_hash %s was already tried in this lineage', p_result ->> 'params_hash'),
            hint = 'mutate again with another seed';
    end if;
    if evolution_hold(v_parent.id) = 'CANDIDATE_PENDING' then
        raise exception 'CANDIDATE_PENDING' using errcode = 'P0001',
            detail = format('evolve_candidates_per_lineage (%s) candidates of this lineage await their verdict',
                            setting('evolve_candidates_per_lineage')::int);
    end if;
    select count(*) into v_active from bots where status = 'ACTIVE';
    if v_active >= setting('population_cap')::int then
        raise exception 'POPULATION_CAP' using errcode = 'P0001',
            detail = format('%s ACTIVE bots, population_cap is %s', v_active, setting('population_cap')::int),
            hint = 'raise settings.population_cap or kill weak bots';
    end if;

    v_generation := v_parent.generation + 1;
    insert into bots (name, archetype_slug, instrument, timeframe, params, params_hash, stage, stage_reason_code,
                      status, generation, parent_bot_id, root_bot_id, origin, iteration)
    select coalesce(a.name, v_parent.name) || ' Gen ' || v_generation, v_parent.archetype_slug,
           v_parent.instrument, v_parent.timeframe, p_result -> 'params', p_result ->> 'params_hash', 'LAB',
           'EVOLVED', 'CANDIDATE', v_generation, v_parent.id, v_root, 'EVOLVED', 0
      from (select 1) one left join archetypes a on a.slug = v_parent.archetype_slug
    returning id into v_child;

    insert into evolution_selections (candidate_bot_id, parent_bot_id, root_bot_id, evolve_job_id, parent_session_id,
                                      step_scale, started_at)
    values (v_child, v_parent.id, v_root, p_job.id, v_session.id, v_scale, coalesce(p_job.started_at, now()));

    insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
    select k.completed_event, v_parent.id, p_job.id, p_job.trace_id,
           jsonb_build_object('parent_bot_id', v_parent.id, 'new_bot_id', v_child, 'generation', v_generation,
                              'mutation', coalesce(p_result -> 'mutation', '{}'),
                              'params_hash', p_result ->> 'params_hash', 'seed', p_result ->> 'seed',
                              'step_scale', v_scale, 'parent_session_id', v_session.id)
      from job_kinds k where k.kind = p_job.job_type;

    -- The parent's window, to the second, so both sides research the same bars.
    perform enqueue_job(v_child, 'BACKTEST_BASELINE', null,
                        jsonb_build_object('from', to_char(v_session.window_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                           'to', to_char(v_session.window_to at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                           'paired_session_id', v_session.id),
                        now(), 'EVOLVED');
    return jsonb_build_object('reason_code', 'CANDIDATE_CREATED', 'new_bot_id', v_child, 'generation', v_generation);
end
$$;
