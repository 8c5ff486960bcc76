-- GET /api/backtests: newest first, optionally for one bot and/or one status.
create or replace function api_backtests(p_bot uuid, p_status text, p_limit int, p_before timestamptz)
returns jsonb
language plpgsql stable set plan_cache_mode = force_custom_plan as $$
begin
    return (
        with page as (
            select s from backtest_sessions s
            where (p_bot is null or s.bot_id = p_bot)
              and (p_status is null or s.status = p_status)
              and (p_before is null or s.created_at < p_before)
            order by s.created_at desc
            limit p_limit)
        select jsonb_build_object(
            'backtests', coalesce(jsonb_agg(api_backtest_summary(s) order by (s).created_at desc), '[]'::jsonb),
            'nextBefore', case when count(*) = p_limit then min((s).created_at) end)
        from page
    );
end
$$;
