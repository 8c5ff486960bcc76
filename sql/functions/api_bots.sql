-- GET /api/bots: every bot with its latest completed backtest and active job.
-- JIT compilation costs more than the query at fleet sizes (measured: a 35 ms
-- bot_now scan became 140 ms at 10,000 bots), so it is off here.
create or replace function api_bots() returns jsonb
language plpgsql stable set jit = off as $$
begin
    return (
        select jsonb_build_object('count', count(*),
                                  'bots', coalesce(jsonb_agg(api_bot_summary(b, n, e) order by b.created_at, b.name), '[]'::jsonb))
          from bots b
          join bot_now n on n.bot_id = b.id
          join bot_evidence e on e.bot_id = b.id
    );
end
$$;
