-- GET /api/runner/status: the runs still RUNNING (each with its heartbeat age and
-- whether it is stale), how many are live (not stale), the kill switch, and the last
-- finished run.
create or replace function api_runner_status() returns jsonb
language plpgsql stable as $$
begin
    return (
        select jsonb_build_object(
            'running', (select count(*) from paper_runs r where r.status = 'RUNNING' and not paper_run_stale(r)),
            'runs', coalesce((select jsonb_agg(paper_run_doc(r) order by r.started_at desc)
                                from paper_runs r where r.status = 'RUNNING'), '[]'),
            'lastFinished', (select paper_run_doc(r) from paper_runs r where r.status <> 'RUNNING'
                              order by r.finished_at desc nulls last limit 1),
            'killSwitch', kill_switch_doc())
    );
end
$$;
