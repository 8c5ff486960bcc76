-- GET /api/bots: every bot with its latest completed backtest and active job.
create or replace function api_bots() returns jsonb
language sql stable as $$
    select jsonb_build_object('count', count(*), 'bots', coalesce(jsonb_agg(api_bot_summary(b) order by b.created_at, b.name), '[]'::jsonb))
    from bots b
$$;
