-- GET /api/backtests/status: the newest research run as {"state": "idle" (no run
-- yet) | "running" (QUEUED or RUNNING) | "completed" | "error", "runId",
-- "progress": {"done", "total"}, "message"?, "startedAt"?, "finishedAt"?, "window"}.
create or replace function api_research_status() returns jsonb
language plpgsql stable as $$
begin
    return (
        select coalesce((
            select jsonb_strip_nulls(jsonb_build_object(
                       'state', case r.state when 'QUEUED' then 'running' when 'RUNNING' then 'running'
                                             when 'COMPLETED' then 'completed' else 'error' end,
                       'runId', r.id, 'progress', jsonb_build_object('done', r.progress_done, 'total', r.progress_total),
                       'message', r.message, 'startedAt', coalesce(r.started_at, r.created_at), 'finishedAt', r.finished_at,
                       'window', jsonb_build_object('start', r.window_start, 'end', r.window_end)))
              from research_runs r order by r.created_at desc limit 1),
            jsonb_build_object('state', 'idle', 'progress', jsonb_build_object('done', 0, 'total', 0)))
    );
end
$$;
