-- GET /api/research/runs: research runs newest first (at most p_limit), each
-- {id, trigger, isoWeek, state, window: {start, end}, progress: {done, total},
-- message, createdAt, startedAt, finishedAt}.
create or replace function api_research_runs(p_limit int) returns jsonb
language plpgsql stable as $$
begin
    return (
        select jsonb_build_object('runs', coalesce(jsonb_agg(research_run_doc(r) order by r.created_at desc), '[]'))
          from (select * from research_runs order by created_at desc limit p_limit) r
    );
end
$$;
