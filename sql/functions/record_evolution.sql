-- The recorder of EVOLVE (job_kinds.recorder; called by complete_leased_job, which
-- holds the lease), all or nothing: a new ACTIVE bot — generation = parent's + 1,
-- parent_bot_id, origin EVOLVED, stage LAB, iteration 0, the parent's archetype,
-- instrument and timeframe, p_result.params and params_hash, named "<archetype
-- name> Gen N" — with a BACKTEST_BASELINE queued at once (enqueue_job, reason
-- EVOLVED); the parent SUPERSEDED (history kept) and its QUEUED jobs cancelled
-- (reason PARENT_SUPERSEDED; a RUNNING one finishes); and the kind's
-- completed_event (EVOLVED_GENERATION_CREATED) on the parent with
-- {parent_bot_id, new_bot_id, generation, mutation, params_hash, seed}.
-- Returns {reason_code: GENERATION_CREATED, new_bot_id, generation}.
--
-- p_result: {"params": {…}, "params_hash": "…", "mutation": {"key": {"from": x,
-- "to": y}, …}, "seed": "hex"} — the parameters are chosen by the worker (Swift
-- validates them against the archetype's bounds); the SQL decides everything else.
--
-- Refusals, each writing nothing: params not an object or params_hash missing →
-- 22023 INVALID_RESULT; the parent no longer ACTIVE → P0001 PARENT_NOT_ACTIVE;
-- ACTIVE bots ≥ settings.population_cap → P0001 POPULATION_CAP. The worker
-- records the last two as the job's failure (fail_job).
create or replace function record_evolution(p_job bot_jobs, p_result jsonb) returns jsonb
language plpgsql volatile as $$
declare
    v_parent bots%rowtype;
    v_cap int := setting('population_cap')::int;
    v_active int;
    v_generation int;
    v_child uuid;
begin
    if jsonb_typeof(p_result -> 'params') is distinct from 'object' or coalesce(p_result ->> 'params_hash', '') = '' then
        raise exception 'INVALID_RESULT' using errcode = '22023',
            detail = 'p_result needs params (an object) and params_hash';
    end if;

    -- Locked so a concurrent kill or a second evolution of the same parent waits.
    select * into v_parent from bots where id = p_job.bot_id for update;
    if v_parent.status <> 'ACTIVE' then
        raise exception 'PARENT_NOT_ACTIVE' using errcode = 'P0001',
            detail = format('bot %s is %s; only an ACTIVE bot evolves', v_parent.id, v_parent.status);
    end if;
    select count(*) into v_active from bots where status = 'ACTIVE';
    if v_active >= v_cap then
        raise exception 'POPULATION_CAP' using errcode = 'P0001',
            detail = format('%s ACTIVE bots, population_cap is %s', v_active, v_cap),
            hint = 'raise settings.population_cap or kill weak bots';
    end if;

    v_generation := v_parent.generation + 1;
    insert into bots (name, archetype_slug, instrument, timeframe, params, params_hash, stage, stage_reason_code,
                      status, generation, parent_bot_id, origin, iteration)
    select coalesce(a.name, v_parent.name) || ' Gen ' || v_generation, v_parent.archetype_slug,
           v_parent.instrument, v_parent.timeframe, p_result -> 'params', p_result ->> 'params_hash', 'LAB',
           'EVOLVED', 'ACTIVE', v_generation, v_parent.id, 'EVOLVED', 0
      from (select 1) one left join archetypes a on a.slug = v_parent.archetype_slug
    returning id into v_child;

    update bots set status = 'SUPERSEDED', updated_at = now() where id = v_parent.id;
    perform cancel_job(j.id, 'PARENT_SUPERSEDED')
       from bot_jobs j where j.bot_id = v_parent.id and j.status = 'QUEUED';

    insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
    select k.completed_event, v_parent.id, p_job.id, p_job.trace_id,
           jsonb_build_object('parent_bot_id', v_parent.id, 'new_bot_id', v_child, 'generation', v_generation,
                              'mutation', coalesce(p_result -> 'mutation', '{}'),
                              'params_hash', p_result ->> 'params_hash', 'seed', p_result ->> 'seed')
      from job_kinds k where k.kind = p_job.job_type;

    perform enqueue_job(v_child, 'BACKTEST_BASELINE', null, '{}'::jsonb, now(), 'EVOLVED');
    return jsonb_build_object('reason_code', 'GENERATION_CREATED', 'new_bot_id', v_child, 'generation', v_generation);
end
$$;
