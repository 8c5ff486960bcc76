-- GET /api/bots/:id: the bot, its recent backtests and jobs; null when unknown.
create or replace function api_bot(p_id uuid) returns jsonb
language sql stable as $$
    select api_bot_summary(b) || jsonb_build_object(
        'backtests', coalesce((
            select jsonb_agg(x.doc order by x.created_at desc) from (
                select api_backtest_summary(s) as doc, s.created_at from backtest_sessions s
                where s.bot_id = b.id order by s.created_at desc limit 20) x), '[]'::jsonb),
        'jobs', coalesce((
            select jsonb_agg(x.doc order by x.created_at desc) from (
                select jsonb_build_object('id', j.id, 'type', j.job_type, 'status', j.status, 'attempt', j.attempt,
                                          'errorCode', j.error_code, 'traceId', j.trace_id, 'createdAt', j.created_at,
                                          'startedAt', j.started_at, 'finishedAt', j.finished_at) as doc, j.created_at
                from bot_jobs j where j.bot_id = b.id order by j.created_at desc limit 20) x), '[]'::jsonb))
    from bots b
    where b.id = p_id
$$;
