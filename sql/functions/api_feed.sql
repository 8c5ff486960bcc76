-- GET /api/feed: activity events newest first, keyset-paged by id.
create or replace function api_feed(p_bot uuid, p_type text, p_limit int, p_before bigint) returns jsonb
language plpgsql stable set plan_cache_mode = force_custom_plan as $$
begin
    return (
        with page as (
            select e.*, b.name as bot_name, b.instrument
            from activity_events e
            left join bots b on b.id = e.bot_id
            where (p_bot is null or e.bot_id = p_bot)
              and (p_type is null or e.event_type = p_type)
              and (p_before is null or e.id < p_before)
            order by e.id desc
            limit p_limit)
        select jsonb_build_object(
            'events', coalesce(jsonb_agg(jsonb_build_object(
                'id', id, 'type', event_type, 'botId', bot_id, 'botName', bot_name, 'instrument', instrument,
                'jobId', job_id, 'traceId', trace_id, 'payload', payload, 'createdAt', created_at) order by id desc), '[]'::jsonb),
            'nextBefore', case when count(*) = p_limit then min(id) end)
        from page
    );
end
$$;
