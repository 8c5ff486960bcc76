-- GET /api/_proof/jobs — the PROOFS.md §4 shape, counting every job kind:
--   {running: {backtest, evolve, runner, …}, queued: {…}, completedLast1h: {…},
--    stuckRunningOverXmin: [{jobId, botId, type, startedAt, ageMin}]}
-- Each kind is counted under its job_kinds.proof_key (backtest = the backtest
-- kinds, evolve, runner, improve, research, noop), and every key is present (0
-- when none), so a kind added to job_kinds shows up here without a code change.
-- completedLast1h counts COMPLETED jobs whose finished_at is within the last
-- hour. X = settings.proof_stuck_minutes: RUNNING jobs started more than X
-- minutes ago (a runner's RUNNER_START: last heartbeat more than X ago), oldest first, at most 50; ageMin in minutes, one decimal.
create or replace function api_proof_jobs() returns jsonb
language plpgsql stable as $$
begin
    return (
        with keys as (
            select distinct proof_key from job_kinds
        ), active as (
            select k.proof_key, j.status, count(*)::int as n
              from bot_jobs j join job_kinds k on k.kind = j.job_type
             where j.status in ('QUEUED', 'RUNNING')
             group by k.proof_key, j.status
        ), done as (
            select k.proof_key, count(*)::int as n
              from bot_jobs j join job_kinds k on k.kind = j.job_type
             where j.finished_at > now() - interval '1 hour' and j.status = 'COMPLETED'
             group by k.proof_key
        )
        select jsonb_build_object(
            'running', (select jsonb_object_agg(k.proof_key, coalesce(a.n, 0))
                          from keys k left join active a on a.proof_key = k.proof_key and a.status = 'RUNNING'),
            'queued', (select jsonb_object_agg(k.proof_key, coalesce(a.n, 0))
                         from keys k left join active a on a.proof_key = k.proof_key and a.status = 'QUEUED'),
            'completedLast1h', (select jsonb_object_agg(k.proof_key, coalesce(d.n, 0))
                                  from keys k left join done d on d.proof_key = k.proof_key),
            'stuckRunningOverXmin', coalesce((
                select jsonb_agg(jsonb_build_object('jobId', j.id, 'botId', j.bot_id, 'type', j.job_type,
                                                    'startedAt', j.started_at,
                                                    'ageMin', round((extract(epoch from now() - j.started_at) / 60)::numeric, 1))
                                 order by j.started_at)
                  from (select j.* from bot_jobs j join job_kinds k on k.kind = j.job_type
                         where j.status = 'RUNNING'
                           -- a runner's job runs for as long as it trades: stuck only when its heartbeat is that old
                           and case when k.badge = 'RUNNER' then coalesce(j.heartbeat_at, j.started_at) else j.started_at end
                               < now() - make_interval(mins => (select setting('proof_stuck_minutes')::int))
                         order by j.started_at limit 50) j), '[]'))
    );
end
$$;
