-- The badge state of every bot (GET /api/bots reads it every few seconds, so it is
-- two index probes per bot: the active job via bot_jobs_one_active, the latest job
-- via bot_jobs_bot; gate blockers come from bot_gate_streaks, written by the
-- supervisor, so no gate is evaluated here). The badge family of a job comes from
-- its kind (job_kinds.badge).
--   state  BACKTEST_RUNNING  a RUNNING job of a BACKTEST-badge kind  label "Backtesting ×{attempt}"
--          BACKTEST_QUEUED   a QUEUED one                            "Queued ×{attempt}" (the attempt it will run as)
--          IMPROVING         an IMPROVE job, queued or running       "Improving #{iteration}"
--                            (iteration = the bot's iteration + 1, the one being tried)
--          EVOLVING          an EVOLVE job, queued or running, or an evolved candidate
--                            awaiting its verdict (on the candidate and on its parent) "Evolving"
--          EVOLVED           no active job; a candidate of (or as) this bot was accepted
--                            within the persist window               "Evolved → Gen {n}"
--          EVOLUTION_REJECTED  … rejected within the persist window  "Evolution rejected"
--          RUNNER_RUNNING    a RUNNING RUNNER kind with a live heartbeat              "Runner"
--          RUNNER_STALE      … whose heartbeat is stale (runner_heartbeat_stale)      "Runner stale"
--          BLOCKED_BY_GATES  no job; the last supervisor cycle found failing gates  "Blocked by gates"
--          IDLE              otherwise (label null)
-- The label carries no time: elapsed_seconds (fractional) is how long the job has
-- run (a queued IMPROVE or EVOLVE: how long it has waited; an evolution: the
-- candidate's whole life, from its mutation through its baseline to the verdict) —
-- counting while it is active, frozen at its run time once finished — and null for states without a
-- clock (BACKTEST_QUEUED, blocked, idle); the
-- UI formats it ("Backtesting ×1 • 3.2s"). A RUNNING job wins over a QUEUED one.
-- With no active job, a job that finished within settings.badge_persist_seconds
-- keeps its state and label until the next state replaces it. since: when the
-- state began (job start or enqueue; blocked_since; for IDLE the later of the
-- last job's end and the bot's creation). reason_code: the job's last error code
-- for a retried job, BLOCKED_BY_GATES, BOT_KILLED / SUPERSEDED for such bots, the
-- verdict's reason for a rejected evolution (DSR_NOT_BETTER …), else null. is_new: created under 10 minutes ago and no backtest session yet.
create or replace view bot_now as
with cfg as (
    select setting('badge_persist_seconds')::int as persist, setting('job_lease_seconds')::int as lease
)
select b.id as bot_id, x.state,
       case x.state
           when 'BACKTEST_RUNNING' then format('Backtesting ×%s', j.attempt)
           when 'BACKTEST_QUEUED' then format('Queued ×%s', j.attempt + 1)
           when 'IMPROVING' then format('Improving #%s', b.iteration + 1)
           when 'EVOLVING' then 'Evolving'
           when 'EVOLVED' then format('Evolved → Gen %s', case sel.side when 'PARENT' then b.generation + 1 else b.generation end)
           when 'EVOLUTION_REJECTED' then 'Evolution rejected'
           when 'RUNNER_RUNNING' then 'Runner'
           when 'RUNNER_STALE' then 'Runner stale'
           when 'BLOCKED_BY_GATES' then 'Blocked by gates'
       end as label,
       x.since,
       case when ev.pending or ev.verdict then round(extract(epoch from (coalesce(sel.decided_at, now()) - sel.started_at))::numeric, 3)
            when j.id is not null and x.state not in ('BACKTEST_QUEUED')
            then round(extract(epoch from (coalesce(j.finished_at, now()) - coalesce(j.started_at, j.created_at)))::numeric, 3)
       end as elapsed_seconds,
       case when b.status = 'KILLED' then 'BOT_KILLED'
            when b.status = 'SUPERSEDED' then 'SUPERSEDED'
            when x.state = 'EVOLUTION_REJECTED' then sel.reason_code
            when b.status = 'REJECTED' then (select es.reason_code from evolution_selections es where es.candidate_bot_id = b.id)
            when x.state = 'BLOCKED_BY_GATES' then 'BLOCKED_BY_GATES'
            when j.id is not null and j.attempt + (case when j.status = 'QUEUED' then 1 else 0 end) > 1
                then j.error_code
       end as reason_code,
       case when j.status in ('QUEUED', 'RUNNING') then j.id end as active_job_id,
       case when j.status in ('QUEUED', 'RUNNING') then j.job_type end as active_job_type,
       case when j.status in ('QUEUED', 'RUNNING') then j.status end as active_job_status,
       case when j.id is not null then case when j.status = 'QUEUED' then j.attempt + 1 else j.attempt end end as attempt,
       b.iteration,
       coalesce(case when x.state = 'BLOCKED_BY_GATES' then g.last_failures end, '[]') as gate_blockers,
       b.created_at > now() - interval '10 minutes'
           and not exists (select 1 from backtest_sessions s where s.bot_id = b.id) as is_new
  from bots b
 cross join cfg
  left join lateral (
        -- The active job (RUNNING first), else the latest job if it finished within the persist window.
        select * from (
            select a.*, 0 as pick from (
                select j.*, k.badge from bot_jobs j join job_kinds k on k.kind = j.job_type
                 where j.bot_id = b.id and j.status in ('QUEUED', 'RUNNING') and k.badge is not null
                 order by (j.status = 'RUNNING') desc, j.created_at desc limit 1) a
            union all
            select l.*, 1 from (
                select j.*, k.badge from bot_jobs j join job_kinds k on k.kind = j.job_type
                 where j.bot_id = b.id
                 order by j.created_at desc limit 1) l
             where l.finished_at > now() - make_interval(secs => cfg.persist) and l.badge is not null
        ) u order by u.pick limit 1) j on true
  left join bot_gate_streaks g on g.bot_id = b.id
  -- The latest evolution this bot is in, as the candidate or as the parent.
  left join lateral (
        select u.* from (
            (select s.*, 'CHILD' as side from evolution_selections s where s.candidate_bot_id = b.id)
            union all
            (select s.*, 'PARENT' from evolution_selections s where s.parent_bot_id = b.id
              order by s.started_at desc limit 1)) u
         where u.decision is null or u.decided_at > now() - make_interval(secs => cfg.persist)
         order by u.started_at desc limit 1) sel on true
  -- An evolution pending covers its candidate's whole life; its verdict persists
  -- unless a job of the bot's own is active.
 cross join lateral (
        select sel.started_at is not null and sel.decision is null as pending,
               sel.decision is not null and (j.id is null or j.status not in ('QUEUED', 'RUNNING')) as verdict) ev
 cross join lateral (
        select case
                   when ev.pending then 'EVOLVING'
                   when ev.verdict then case sel.decision when 'ACCEPTED' then 'EVOLVED' else 'EVOLUTION_REJECTED' end
                   when j.id is null then
                       case when g.passed_all = false and b.status = 'ACTIVE' then 'BLOCKED_BY_GATES' else 'IDLE' end
                   when j.badge = 'IMPROVING' then 'IMPROVING'
                   when j.badge = 'EVOLVING' then 'EVOLVING'
                   when j.badge = 'RUNNER' and j.status = 'RUNNING' then
                       case when runner_heartbeat_stale(coalesce(j.heartbeat_at, j.started_at))
                            then 'RUNNER_STALE' else 'RUNNER_RUNNING' end
                   when j.badge = 'RUNNER' and j.status <> 'QUEUED' then 'RUNNER_RUNNING'
                   when j.status = 'QUEUED' then 'BACKTEST_QUEUED'
                   when j.status = 'RUNNING' then 'BACKTEST_RUNNING'
                   -- finished within the persist window: the state it had while it ran
                   when j.started_at is not null then 'BACKTEST_RUNNING'
                   else 'BACKTEST_QUEUED'
               end as state,
               case
                   when ev.pending then sel.started_at
                   when ev.verdict then sel.decided_at
                   when j.id is null then
                       case when g.passed_all = false and b.status = 'ACTIVE' then g.blocked_since
                            else greatest(b.created_at, (select j2.finished_at from bot_jobs j2
                                                          where j2.bot_id = b.id
                                                          order by j2.created_at desc limit 1)) end
                   else coalesce(j.started_at, j.created_at)
               end as since) x;
