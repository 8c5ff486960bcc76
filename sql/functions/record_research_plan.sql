-- The recorder of GRID (job_kinds.recorder): the run's cells, planned by the worker
-- (Swift ParameterGrid: a tight band around each archetype's defaults), become one
-- RESEARCH_CELL job each, enqueued in one statement (payload {run_id, cell,
-- archetype, instrument, timeframe, params, params_hash, grid_edge, from, to}), so
-- any number of workers on any number of machines share the run through the
-- queue; the run turns RUNNING with progress 0/cells. p_result: {"cells":
-- [{archetype, instrument, timeframe, params, params_hash, grid_edge}, …]}. No cells, or a run not QUEUED → 22023
-- INVALID_RESULT / P0001 RUN_NOT_QUEUED, nothing written. Returns {reason_code:
-- GRID_PLANNED, run_id, cells}.
create or replace function record_research_plan(p_job bot_jobs, p_result jsonb) returns jsonb
language plpgsql volatile as $$
declare
    v_run research_runs%rowtype;
    v_cells int := coalesce(jsonb_array_length(p_result -> 'cells'), 0);
begin
    if jsonb_typeof(p_result -> 'cells') is distinct from 'array' or v_cells = 0 then
        raise exception 'INVALID_RESULT' using errcode = '22023', detail = 'p_result needs a non-empty cells array';
    end if;
    select * into v_run from research_runs where id = (p_job.payload ->> 'run_id')::uuid for update;
    if v_run.state is distinct from 'QUEUED' then
        raise exception 'RUN_NOT_QUEUED' using errcode = 'P0001',
            detail = format('run %s is %s', p_job.payload ->> 'run_id', coalesce(v_run.state, 'unknown'));
    end if;
    update research_runs
       set state = 'RUNNING', started_at = now(), progress_total = v_cells, progress_done = 0
     where id = v_run.id;
    perform enqueue_jobs('RESEARCH_CELL',
                         array(select c.cell || jsonb_build_object('run_id', v_run.id, 'cell', c.n - 1,
                                                                   'from', v_run.window_start, 'to', v_run.window_end)
                                 from jsonb_array_elements(p_result -> 'cells') with ordinality c(cell, n)
                                order by c.n),
                         null, null, now(), 'GRID_PLANNED');
    return jsonb_build_object('reason_code', 'GRID_PLANNED', 'run_id', v_run.id, 'cells', v_cells);
end
$$;
