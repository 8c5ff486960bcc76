-- GET /api/scheduler/status: workers and their heartbeats (state from worker_state:
-- RUNNING, STALE, DEAD or STOPPED; stale = STALE or DEAD), active queue depths by type and status (QUEUED/RUNNING, from the
-- partial index), running backtests against the limit, and the breaker. A
-- breaker whose cooldown has passed but that no claim has closed yet shows
-- state OPEN with cooldownElapsed true.
create or replace function api_scheduler_status() returns jsonb
language plpgsql stable as $$
begin
    return (
        with cfg as (
            select setting('backtest_concurrency')::int as concurrency
        ), active as (
            select j.job_type, j.status, k.is_backtest, count(*) as n
              from bot_jobs j join job_kinds k on k.kind = j.job_type
             where j.status in ('QUEUED', 'RUNNING')
             group by j.job_type, j.status, k.is_backtest
        )
        select jsonb_build_object(
            'workers', coalesce((
                select jsonb_agg(jsonb_build_object(
                           'workerId', w.worker_id, 'hostname', w.hostname, 'pid', w.pid, 'slots', w.slots,
                           'jobTypes', to_jsonb(w.job_types), 'status', w.status, 'startedAt', w.started_at,
                           'lastSeenAt', w.last_seen_at,
                           'state', worker_state(w),
                           'stale', worker_state(w) in ('STALE', 'DEAD'),
                           'runningJobs', (select count(*) from bot_jobs j where j.status = 'RUNNING' and j.worker_id = w.worker_id))
                       order by w.status, w.worker_id)
                  from worker_heartbeats w), '[]'),
            'queue', coalesce((select jsonb_agg(jsonb_build_object('jobType', a.job_type, 'status', a.status, 'count', a.n)
                                                order by a.job_type, a.status) from active a), '[]'),
            'queued', coalesce((select sum(n) from active where status = 'QUEUED'), 0),
            'running', coalesce((select sum(n) from active where status = 'RUNNING'), 0),
            'runningBacktests', coalesce((select sum(n) from active where status = 'RUNNING' and is_backtest), 0),
            'backtestConcurrency', cfg.concurrency,
            'breaker', (select jsonb_build_object('name', b.name, 'state', b.state,
                                                  'consecutiveFailures', b.consecutive_failures,
                                                  'lastFailureAt', b.last_failure_at, 'lastErrorCode', b.last_error_code,
                                                  'openedAt', b.opened_at, 'closesAt', b.closes_at,
                                                  'cooldownElapsed', b.state = 'OPEN' and b.closes_at <= now())
                          from circuit_breakers b where b.name = 'backtest'),
            'checkedAt', now())
        from cfg
    );
end
$$;
