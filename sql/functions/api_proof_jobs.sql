-- GET /api/_proof/jobs — exactly the PROOFS.md §4 shape:
--   {running: {backtest, evolve, runner}, queued: {backtest, evolve, runner},
--    completedLast1h: {backtest, evolve},
--    stuckRunningOverXmin: [{jobId, botId, type, startedAt, ageMin}]}
-- backtest = BACKTEST_BASELINE + BACKTEST_REFRESH, evolve = EVOLVE, runner =
-- RUNNER_START; completedLast1h counts COMPLETED jobs whose finished_at is within
-- the last hour. X = settings.proof_stuck_minutes (15): RUNNING jobs started more
-- than X minutes ago, oldest first, at most 50; ageMin in minutes, one decimal.
create or replace function api_proof_jobs() returns jsonb
language sql stable as $$
    with active as (
        select job_type, status, count(*)::int as n
          from bot_jobs where status in ('QUEUED', 'RUNNING')
         group by job_type, status
    ), done as (
        select job_type, count(*)::int as n
          from bot_jobs where finished_at > now() - interval '1 hour' and status = 'COMPLETED'
         group by job_type
    ), x as (
        select coalesce((select (value #>> '{}')::int from settings where key = 'proof_stuck_minutes'), 15) as minutes
    )
    select jsonb_build_object(
        'running', jsonb_build_object(
            'backtest', coalesce((select sum(n) from active where status = 'RUNNING'
                                   and job_type in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH')), 0),
            'evolve', coalesce((select sum(n) from active where status = 'RUNNING' and job_type = 'EVOLVE'), 0),
            'runner', coalesce((select sum(n) from active where status = 'RUNNING' and job_type = 'RUNNER_START'), 0)),
        'queued', jsonb_build_object(
            'backtest', coalesce((select sum(n) from active where status = 'QUEUED'
                                   and job_type in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH')), 0),
            'evolve', coalesce((select sum(n) from active where status = 'QUEUED' and job_type = 'EVOLVE'), 0),
            'runner', coalesce((select sum(n) from active where status = 'QUEUED' and job_type = 'RUNNER_START'), 0)),
        'completedLast1h', jsonb_build_object(
            'backtest', coalesce((select sum(n) from done where job_type in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH')), 0),
            'evolve', coalesce((select sum(n) from done where job_type = 'EVOLVE'), 0)),
        'stuckRunningOverXmin', coalesce((
            select jsonb_agg(jsonb_build_object('jobId', j.id, 'botId', j.bot_id, 'type', j.job_type,
                                                'startedAt', j.started_at,
                                                'ageMin', round((extract(epoch from now() - j.started_at) / 60)::numeric, 1))
                             order by j.started_at)
              from (select j.* from bot_jobs j, x
                     where j.status = 'RUNNING' and j.started_at < now() - make_interval(mins => x.minutes)
                     order by j.started_at limit 50) j), '[]'))
$$;
