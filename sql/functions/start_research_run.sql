-- Starts a parameter-grid research run: the research_runs row (QUEUED) and its GRID
-- job (payload {run_id, pairs: [{archetype, instrument}], from, to, max_cells}), whose
-- executor plans the cells (record_research_plan). The pairs are decided here, once:
-- each archetype of the scope on p_instruments, or on its own instrument.
-- p_archetypes / p_instruments narrow the scope (null: every archetype with its own
-- instrument); the window is trade dates [p_from, p_to). Refusals, writing nothing:
-- 22023 INVALID_WINDOW, 22023 UNKNOWN_ARCHETYPE / UNKNOWN_INSTRUMENT (detail lists
-- them), then P0001 RUN_IN_PROGRESS (a run is QUEUED or RUNNING; detail names it).
-- Returns the run's id.
create or replace function start_research_run(p_trigger text, p_archetypes text[], p_instruments text[],
                                              p_from date, p_to date, p_grid_spec jsonb default '{}')
returns uuid
language plpgsql volatile as $$
declare
    v_run uuid;
    v_active uuid;
    v_unknown text[];
begin
    if p_from is null or p_to is null or p_from >= p_to then
        raise exception 'INVALID_WINDOW' using errcode = '22023',
            detail = format('from %s must be before to %s', p_from, p_to);
    end if;
    select array_agg(a) into v_unknown from unnest(p_archetypes) a where not exists (select 1 from archetypes x where x.slug = a);
    if v_unknown is not null then
        raise exception 'UNKNOWN_ARCHETYPE' using errcode = '22023', detail = array_to_string(v_unknown, ', ');
    end if;
    select array_agg(i) into v_unknown from unnest(p_instruments) i where not exists (select 1 from instruments x where x.symbol = i);
    if v_unknown is not null then
        raise exception 'UNKNOWN_INSTRUMENT' using errcode = '22023', detail = array_to_string(v_unknown, ', ');
    end if;

    select id into v_active from research_runs where state in ('QUEUED', 'RUNNING');
    if v_active is not null then
        raise exception 'RUN_IN_PROGRESS' using errcode = 'P0001', detail = v_active::text,
            hint = 'wait for it: GET /api/backtests/status';
    end if;

    insert into research_runs (trigger, iso_week, window_start, window_end, scope, grid_spec)
    values (p_trigger, to_char(p_to - 1, 'IYYY-"W"IW'), p_from, p_to,
            -- The pairs the grid covers: each archetype on the requested instruments, else on its own.
            (select jsonb_build_object('archetypes', jsonb_agg(distinct a.slug), 'instruments', to_jsonb(p_instruments),
                                       'pairs', jsonb_agg(jsonb_build_object('archetype', a.slug, 'instrument', i)
                                                          order by a.slug, i))
               from archetypes a
              cross join lateral unnest(coalesce(p_instruments, array[a.instrument])) i
              where p_archetypes is null or a.slug = any (p_archetypes)),
            coalesce(p_grid_spec, '{}'))
    returning id into v_run;
    perform enqueue_job(null, 'GRID', null,
                        (select jsonb_build_object('run_id', r.id, 'pairs', r.scope -> 'pairs', 'from', r.window_start,
                                                   'to', r.window_end, 'max_cells', coalesce((r.grid_spec ->> 'max_cells')::int,
                                                                                            setting('research_max_cells')::int))
                           from research_runs r where r.id = v_run),
                        now(), 'RESEARCH_REQUESTED');
    return v_run;
end
$$;
