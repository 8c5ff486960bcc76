-- The seeds' minimum success criterion as verdicts a DBA can run as written:
--   select * from proof_checks();
-- One row per check, in this order: ("check" name, passed, evidence — a sentence
-- with the figures the verdict was drawn from). `gauntlet proof --check` prints
-- these with its own HTTP and source checks and exits non-zero on any failure.
--
--   starter_baselines   every starter bot (origin STARTER) has a COMPLETED session of
--                       a BACKTEST_BASELINE job with bars_tested >= 1000 (PROOFS.md §7:
--                       fewer bars is a red flag). History counts: a starter bot
--                       SUPERSEDED by its evolved child, reset or killed keeps its
--                       sessions, and they count. Fails when there are no starter bots.
--   trades              some COMPLETED session has trades_count > 0 (PROOFS.md §2).
--   provider_usage      integration_usage_events has rows created in the last 24 h
--                       (PROOFS.md §2); the evidence counts them by provider.
--   planner_ticking     the latest autonomy_planner_runs.started_at is within two
--                       planner intervals (schedules 'planner'.interval_seconds) of now:
--                       one interval is the schedule, the second is slack for a slow
--                       tick or a timer leader hand-over. A LOOP_DISABLED tick still
--                       counts: the planner ran and said why it enqueued nothing.
--   no_stuck_leases     no RUNNING job whose lease_expires_at is older than now() minus
--                       the lease rescuer's interval (schedules 'lease_rescuer'). The
--                       rule: a lease that lapses is taken back by rescue_expired_leases
--                       at its next run, at most one interval later, so a job still
--                       RUNNING a whole interval after its lease lapsed means the rescuer
--                       (or the timer that drives it) is not doing its job. An expired
--                       lease younger than that is the normal window, not a failure.
--                       (The timer ticks every second, so a lease that lapses just after
--                       a rescuer run can be seen here for about a second past the
--                       interval; only a worker that died mid-job leaves a lease to lapse.)
create or replace function proof_checks() returns table ("check" text, passed boolean, evidence text)
language sql stable as $$
    with starter as (
        select count(*)::int as bots,
               count(*) filter (where exists (
                   select 1 from backtest_sessions s join bot_jobs j on j.id = s.job_id
                    where s.bot_id = b.id and s.status = 'COMPLETED' and j.job_type = 'BACKTEST_BASELINE'
                      and s.bars_tested >= 1000))::int as with_baseline,
               count(*) filter (where b.status = 'SUPERSEDED')::int as superseded,
               min((select max(s.bars_tested) from backtest_sessions s join bot_jobs j on j.id = s.job_id
                     where s.bot_id = b.id and s.status = 'COMPLETED' and j.job_type = 'BACKTEST_BASELINE'))
                   as fewest_bars
          from bots b
         where b.origin = 'STARTER'
    ), trades as (
        select count(*)::int as sessions,
               count(*) filter (where s.trades_count > 0)::int as with_trades,
               coalesce(max(s.trades_count), 0) as most_trades
          from backtest_sessions s
         where s.status = 'COMPLETED'
    ), usage as (
        select coalesce(sum(p.n), 0)::int as events,
               string_agg(p.provider || '=' || p.n, ', ' order by p.provider) as by_provider
          from (select u.provider, count(*) as n from integration_usage_events u
                 where u.created_at > now() - interval '24 hours' group by u.provider) p
    ), planner as (
        select (select interval_seconds from schedules where name = 'planner') as interval_s,
               (select max(started_at) from autonomy_planner_runs) as last_started
    ), rescuer as (
        select (select interval_seconds from schedules where name = 'lease_rescuer') as interval_s
    ), stuck as (
        select count(*)::int as running,
               count(*) filter (where j.lease_expires_at < now() - make_interval(secs => r.interval_s))::int as stuck,
               min(j.lease_expires_at) filter (where j.lease_expires_at < now() - make_interval(secs => r.interval_s))
                   as oldest_lease
          from bot_jobs j cross join rescuer r
         where j.status = 'RUNNING'
    )
    select v.name, v.passed, v.evidence from (
    select 1, 'starter_baselines', s.bots > 0 and s.with_baseline = s.bots,
           case when s.bots = 0 then 'no starter bots (seed them: POST /api/bots/starter-pack)'
                else format('%s of %s starter bots have a completed baseline with bars_tested >= 1000 (%s superseded; fewest bars in a bot''s best baseline: %s)',
                            s.with_baseline, s.bots, s.superseded, coalesce(s.fewest_bars::text, 'none'))
           end
      from starter s
    union all
    select 2, 'trades', t.with_trades > 0,
           format('%s of %s completed sessions have trades_count > 0 (most: %s)', t.with_trades, t.sessions, t.most_trades)
      from trades t
    union all
    select 3, 'provider_usage', u.events > 0,
           format('%s integration_usage_events in the last 24 h (%s)', u.events, coalesce(u.by_provider, 'none'))
      from usage u
    union all
    select 4, 'planner_ticking',
           p.interval_s is not null and p.last_started is not null
               and p.last_started >= now() - make_interval(secs => 2 * p.interval_s),
           case when p.interval_s is null then 'no planner schedule in schedules'
                when p.last_started is null then format('no planner run yet (limit %s s = 2 × planner interval %s s)',
                                                        2 * p.interval_s, p.interval_s)
                else format('latest planner run started %s s ago (limit %s s = 2 × planner interval %s s)',
                            round(extract(epoch from now() - p.last_started)::numeric, 1), 2 * p.interval_s, p.interval_s)
           end
      from planner p
    union all
    select 5, 'no_stuck_leases', r.interval_s is not null and s.stuck = 0,
           case when r.interval_s is null then 'no lease_rescuer schedule in schedules'
                else format('%s of %s RUNNING jobs hold a lease that expired over %s s ago (the lease rescuer''s interval)%s',
                            s.stuck, s.running, r.interval_s,
                            case when s.stuck > 0
                                 then format('; oldest expired %s s ago',
                                             round(extract(epoch from now() - s.oldest_lease)::numeric, 1))
                                 else '' end)
           end
      from stuck s cross join rescuer r
    ) v(ord, name, passed, evidence)
    order by v.ord
$$;
