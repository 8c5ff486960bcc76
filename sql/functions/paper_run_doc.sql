-- One paper run as the API shows it: {id, botId, bot, accountId, source, status,
-- errorCount, startedAt, finishedAt, heartbeatAt, lastBarTime, heartbeatAgeSeconds,
-- report, stale} ("stale": paper_run_stale).
create or replace function paper_run_doc(p_run paper_runs) returns jsonb
language sql stable as $$
    select jsonb_strip_nulls(jsonb_build_object(
        'id', p_run.id, 'botId', p_run.bot_id, 'bot', (select name from bots where id = p_run.bot_id),
        'accountId', p_run.account_id, 'source', p_run.source, 'status', p_run.status,
        'errorCount', p_run.error_count, 'startedAt', p_run.started_at, 'finishedAt', p_run.finished_at,
        'heartbeatAt', p_run.heartbeat_at, 'lastBarTime', p_run.last_bar_time,
        'heartbeatAgeSeconds', round(extract(epoch from now() - p_run.heartbeat_at)::numeric, 1),
        'stale', paper_run_stale(p_run),
        'report', p_run.report))
$$;
