-- One research run as the API shows it (GET /api/research/runs and /runs/:id).
create or replace function research_run_doc(p_run research_runs) returns jsonb
language sql stable as $$
    select jsonb_strip_nulls(jsonb_build_object(
        'id', p_run.id, 'trigger', p_run.trigger, 'isoWeek', p_run.iso_week, 'state', p_run.state,
        'window', jsonb_build_object('start', p_run.window_start, 'end', p_run.window_end),
        'scope', p_run.scope, 'progress', jsonb_build_object('done', p_run.progress_done, 'total', p_run.progress_total),
        'message', p_run.message, 'traceId', p_run.trace_id, 'createdAt', p_run.created_at,
        'startedAt', p_run.started_at, 'finishedAt', p_run.finished_at))
$$;
