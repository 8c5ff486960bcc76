-- GET /api/backtests/latest: the last COMPLETED research run as {"generated_at",
-- "runId", "window": {"start", "end"}, "instruments": {"ES": {archetype, params,
-- metrics: {trades, sharpe, pnl, win_rate, max_dd, profit_factor, …}, qualified,
-- score, penalty_tags, …}, …}, "failedCells"}, plus "lastError" {runId, message,
-- finishedAt} when a newer run ended in ERROR (the last good run is still served).
-- With p_partial and a run in progress: that run's instruments so far
-- (research_selection of the rows recorded), "partial": true and its progress.
-- Null when there is nothing to show.
create or replace function api_research_latest(p_partial boolean default false) returns jsonb
language plpgsql stable as $$
begin
    return (
        with active as (
            select * from research_runs where state in ('QUEUED', 'RUNNING') and p_partial limit 1
        ), good as (
            select * from research_runs where state = 'COMPLETED' order by finished_at desc limit 1
        ), failed as (
            select * from research_runs where state = 'ERROR' order by finished_at desc limit 1
        )
        select coalesce(
            (select jsonb_build_object('partial', true, 'runId', a.id, 'generated_at', now(),
                                       'window', jsonb_build_object('start', a.window_start, 'end', a.window_end),
                                       'progress', jsonb_build_object('done', a.progress_done, 'total', a.progress_total),
                                       'instruments', research_selection(a.id) -> 'instruments')
               from active a),
            (select jsonb_strip_nulls(jsonb_build_object(
                        'runId', g.id, 'generated_at', g.finished_at,
                        'window', jsonb_build_object('start', g.window_start, 'end', g.window_end),
                        'instruments', g.selection -> 'instruments', 'failedCells', g.selection -> 'failed_cells',
                        'lastError', (select jsonb_build_object('runId', f.id, 'message', f.message, 'finishedAt', f.finished_at)
                                        from failed f where f.finished_at > g.finished_at)))
               from good g))
    );
end
$$;
