-- The database's half of GET /metrics (the host adds its own HTTP figures and renders
-- the Prometheus text format): one row per sample, {name, type, help, labels, value}.
-- Names carry the gauntlet_ prefix; a histogram's rows are its _bucket (with "le"),
-- _sum and _count samples. Every figure is read from the tables at scrape time:
--   gauntlet_jobs                      gauge   jobs by kind and status (QUEUED, RUNNING)
--   gauntlet_jobs_running              gauge   RUNNING jobs
--   gauntlet_job_duration_seconds      histogram  start → finish of COMPLETED jobs, by kind
--   gauntlet_lease_rescues_total       counter jobs released from a lost worker, by reason
--                                              (LEASE_EXPIRED, WORKER_GONE)
--   gauntlet_breaker_open              gauge   1 while a circuit breaker is OPEN, by name
--   gauntlet_tick_duration_seconds     gauge   the last planner / supervisor run, by schedule
--   gauntlet_schedule_lag_seconds      gauge   how far past due each enabled schedule is (0 on time)
--   gauntlet_worker_heartbeat_age_seconds gauge  since each worker's last beat, by worker and state
--   gauntlet_runner_equity_usd         gauge   each paper account's equity, by bot
--   gauntlet_risk_limit_use_ratio      gauge   each paper account's day loss over its limit
create or replace function metrics_snapshot()
returns table (name text, type text, help text, labels jsonb, value double precision)
language sql stable as $$
    with buckets(le) as (values (1.0), (5.0), (15.0), (60.0), (300.0), (1800.0), ('Infinity'::float8)),
    -- One pass over the active jobs (the partial index) and one over the completed ones
    -- (a CTE read twice is computed once).
    active as (
        select j.job_type, j.status, count(*)::float8 as n from bot_jobs j
         where j.status in ('QUEUED', 'RUNNING') group by j.job_type, j.status
    ), completed as (
        select j.job_type, extract(epoch from j.finished_at - j.started_at)::float8 as seconds
          from bot_jobs j where j.status = 'COMPLETED' and j.started_at is not null
    ), durations as (
        select k.kind, b.le, count(c.seconds) filter (where c.seconds <= b.le)::float8 as n,
               coalesce(sum(c.seconds), 0) as total
          from job_kinds k cross join buckets b left join completed c on c.job_type = k.kind
         group by k.kind, b.le
    ), accounts as (
        -- each paper account's figures, once for both of its gauges
        select b.name as bot, f.equity, f.day_loss, l.max_daily_loss_usd
          from paper_accounts a join bots b on b.id = a.bot_id cross join lateral paper_account_figures(a.id) f
          left join risk_limits l on l.account_id = a.id and l.env = 'paper'
    )
    select 'gauntlet_jobs', 'gauge', 'jobs by kind and status', jsonb_build_object('kind', k.kind, 'status', s.status),
           coalesce(a.n, 0)
      from job_kinds k cross join (values ('QUEUED'), ('RUNNING')) s(status)
      left join active a on a.job_type = k.kind and a.status = s.status
    union all
    select 'gauntlet_jobs_running', 'gauge', 'RUNNING jobs', '{}',
           coalesce((select sum(n) from active where status = 'RUNNING'), 0)
    union all
    -- Per kind: its buckets in increasing le, then _sum and _count (the text format
    -- requires the order; a branch of a UNION ALL keeps its subquery's).
    select h.name, 'histogram', h.help, h.labels, h.value from (
        select 'gauntlet_job_duration_seconds_bucket' as name, 'start to finish of completed jobs, by kind' as help,
               jsonb_build_object('kind', d.kind, 'le', case when d.le = 'Infinity' then '+Inf' else d.le::text end)
                   as labels, d.n as value, d.kind, 0 as step, d.le
          from durations d
        union all
        select 'gauntlet_job_duration_seconds_sum', null, jsonb_build_object('kind', d.kind), d.total, d.kind, 1, d.le
          from durations d where d.le = 'Infinity'
        union all
        select 'gauntlet_job_duration_seconds_count', null, jsonb_build_object('kind', d.kind), d.n, d.kind, 2, d.le
          from durations d where d.le = 'Infinity'
         order by kind, step, le) h
    union all
    select 'gauntlet_lease_rescues_total', 'counter', 'jobs released from a lost worker, by reason',
           jsonb_build_object('reason', r.reason),
           (select count(*) from job_run_events e where e.to_status = 'TIMEOUT' and e.reason_code = r.reason)::float8
      from (values ('LEASE_EXPIRED'), ('WORKER_GONE')) r(reason)
    union all
    select 'gauntlet_breaker_open', 'gauge', '1 while the circuit breaker is open', jsonb_build_object('breaker', c.name),
           (c.state = 'OPEN')::int::float8
      from circuit_breakers c
    union all
    select 'gauntlet_tick_duration_seconds', 'gauge', 'duration of the last run of the schedule',
           jsonb_build_object('schedule', s.name),
           coalesce((select extract(epoch from r.finished_at - r.started_at) from schedule_runs r
                      where r.schedule_name = s.name and r.finished_at is not null
                      order by r.started_at desc limit 1), 0)::float8
      from schedules s where s.name in ('planner', 'supervisor')
    union all
    select 'gauntlet_schedule_lag_seconds', 'gauge', 'how far past due the schedule is (0: on time)',
           jsonb_build_object('schedule', s.name), greatest(extract(epoch from now() - s.next_due_at), 0)::float8
      from schedules s where s.enabled
    union all
    select 'gauntlet_worker_heartbeat_age_seconds', 'gauge', 'seconds since the worker''s last heartbeat',
           jsonb_build_object('worker', w.worker_id, 'state', worker_state(w)),
           extract(epoch from now() - w.last_seen_at)::float8
      from worker_heartbeats w
    union all
    select 'gauntlet_runner_equity_usd', 'gauge', 'paper account equity', jsonb_build_object('bot', a.bot),
           a.equity::float8
      from accounts a
    union all
    select 'gauntlet_risk_limit_use_ratio', 'gauge', 'the day''s loss over max_daily_loss_usd',
           jsonb_build_object('bot', a.bot, 'limit', 'max_daily_loss_usd'),
           (greatest(a.day_loss, 0) / nullif(a.max_daily_loss_usd, 0))::float8
      from accounts a where a.max_daily_loss_usd is not null
$$;
