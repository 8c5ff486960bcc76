-- POST /api/backtests/run: starts a MANUAL research run (start_research_run) over
-- p_archetypes × p_instruments (null: every archetype on its own instrument) and
-- [p_from, p_to) (null: the 182 days before today, UTC), at most p_max_cells cells per
-- archetype and instrument (null: settings.research_max_cells), and answers {"state":
-- "running", "runId", "window": {"start", "end"}, "instruments": [the symbols the
-- grid covers]}. Refusals as start_research_run's (RUN_IN_PROGRESS → 409).
create or replace function api_research_start(p_archetypes text[], p_instruments text[], p_from date, p_to date,
                                              p_max_cells int default null)
returns jsonb
language plpgsql volatile as $$
declare
    v_to date := coalesce(p_to, (now() at time zone 'UTC')::date);
    v_run uuid;
begin
    if p_max_cells is not null and p_max_cells not between 1 and 4096 then
        raise exception 'INVALID_MAX_CELLS' using errcode = '22023', detail = format('maxCells %s is not in 1…4096', p_max_cells);
    end if;
    v_run := start_research_run('MANUAL', p_archetypes, p_instruments, coalesce(p_from, v_to - 182), v_to,
                                jsonb_strip_nulls(jsonb_build_object('max_cells', p_max_cells)));
    return (select jsonb_build_object(
                'state', 'running', 'runId', r.id,
                'window', jsonb_build_object('start', r.window_start, 'end', r.window_end),
                'instruments', (select jsonb_agg(distinct p ->> 'instrument') from jsonb_array_elements(r.scope -> 'pairs') p))
              from research_runs r where r.id = v_run);
end
$$;
