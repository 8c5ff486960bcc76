-- GET /api/paper/runs (newest first, at most p_limit, optionally one bot's) and
-- GET /api/paper/runs/:id (null for an unknown run).
create or replace function api_paper_runs(p_limit int, p_bot uuid default null) returns jsonb
language plpgsql stable set plan_cache_mode = force_custom_plan as $$
begin
    return (
        select jsonb_build_object('runs', coalesce(jsonb_agg(paper_run_doc(r) order by r.started_at desc), '[]'))
          from (select * from paper_runs where p_bot is null or bot_id = p_bot order by started_at desc limit p_limit) r
    );
end
$$;

create or replace function api_paper_run(p_id uuid) returns jsonb
language plpgsql stable as $$
begin
    return (
        select paper_run_doc(r) from paper_runs r where r.id = p_id
    );
end
$$;
