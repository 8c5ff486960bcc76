-- Pruning (schedule 'pruning', daily): schedule_runs older than 7 days, planner
-- decisions older than 3 days, planner runs older than 7 days, and score rows
-- older than 7 days except each bot's latest (the latest is its score), and the
-- heartbeat rows of workers STOPPED or DEAD (worker_state) for over a day. Returns
-- {"schedule_runs": n, "decisions": n, "planner_runs": n, "scores": n, "workers": n}.
create or replace function prune_history() returns jsonb
language plpgsql volatile as $$
declare
    v_runs int;
    v_decisions int;
    v_planner int;
    v_scores int;
    v_workers int;
begin
    delete from schedule_runs where started_at < now() - interval '7 days';
    get diagnostics v_runs = row_count;
    delete from autonomy_bot_decisions where created_at < now() - interval '3 days';
    get diagnostics v_decisions = row_count;
    delete from autonomy_planner_runs where started_at < now() - interval '7 days';
    get diagnostics v_planner = row_count;
    delete from autonomy_scores s
     where s.computed_at < now() - interval '7 days'
       and exists (select 1 from autonomy_scores n where n.bot_id = s.bot_id and n.computed_at > s.computed_at);
    get diagnostics v_scores = row_count;
    delete from worker_heartbeats w
     where w.last_seen_at < now() - interval '1 day' and worker_state(w) in ('STOPPED', 'DEAD');
    get diagnostics v_workers = row_count;
    return jsonb_build_object('schedule_runs', v_runs, 'decisions', v_decisions, 'planner_runs', v_planner,
                              'scores', v_scores, 'workers', v_workers);
end
$$;
