-- Per provider: calls in the last 24 h, last proof of use, last verification.
-- Feeds the one integration resolver behind /api/integrations/status and
-- /api/system/status, so the two can never disagree.
create or replace function api_usage_summary() returns jsonb
language plpgsql stable as $$
begin
    return (
        select coalesce(jsonb_object_agg(provider, doc), '{}'::jsonb) from (
            select u.provider, jsonb_build_object(
                'calls24h', count(*) filter (where u.endpoint <> 'verify' and u.created_at > now() - interval '24 hours'),
                'lastUsedAt', max(u.created_at) filter (where u.endpoint <> 'verify' and u.status = 'OK'),
                'lastVerify', (
                    select jsonb_build_object('ok', v.status = 'OK', 'status', v.status, 'at', v.created_at,
                                              'latencyMs', v.latency_ms, 'httpStatus', v.http_status)
                    from integration_usage_events v
                    where v.provider = u.provider and v.endpoint = 'verify'
                    order by v.created_at desc limit 1)) as doc
            from integration_usage_events u
            group by u.provider) per_provider
    );
end
$$;
