-- One planner tick (schedule 'planner', every 60 s): evaluates every ACTIVE bot in
-- one set-based statement, writes one autonomy_bot_decisions row per bot and the
-- autonomy_planner_runs row, and enqueues the chosen jobs through enqueue_job.
-- Returns the run id. Ticks are serialised by an advisory lock.
--
-- Per bot, first match wins (reason_code of the decision):
--   ACTIVE_JOB_EXISTS      a QUEUED/RUNNING job of any type            SKIPPED
--   ROSTER_DISABLED        the roster disabled its (archetype, instrument): no backtest,
--                          improvement or evolution until a weekly run passes   BLOCKED
--   COOLDOWN               last job finished < bot_cooldown_seconds ago SKIPPED
--   NO_BASELINE            no completed session since the effective reset → BACKTEST_BASELINE
--   BASELINE_STALE         latest effective session older than baseline_stale_minutes → BACKTEST_REFRESH
--   GATES_FAILED_CYCLES    failed gates evolve_after_failed_cycles supervisor cycles → EVOLVE
--   SCORE_BELOW_THRESHOLD  latest (post-reset) score total < evolve_score_below → EVOLVE
--                          (evolution needs an effective session and evolve_per_tick > 0;
--                          improvement needs improve_per_tick > 0)
--   an evolution held back by a lineage limit (evolution_holds):
--   CANDIDATE_PENDING      candidates of its lineage await a verdict                    SKIPPED
--   EVOLVE_COOLDOWN        its lineage evolved minutes ago                              SKIPPED
--   PARAMS_EXHAUSTED       its last EVOLVE found no untried params                      BLOCKED
--   POPULATION_CAP         an evolution candidate while ACTIVE bots >= population_cap   BLOCKED
--   IMPROVE_CANDIDATE      >= improve_after_backtests sessions since reset → IMPROVE
--   BLOCKED_BY_GATES       up to date, failing its gates, nothing else to do            BLOCKED
--   UP_TO_DATE             up to date and passing (or no rules)                          SKIPPED
-- (A QUEUED/RUNNING RUNNER_START job does not count as active.) Besides, every ACTIVE
-- PAPER bot without a runner job gets one: a second decision row, ENQUEUED
-- RUNNER_START PAPER_NEEDS_RUNNER (plan_paper_runners).
-- Then the wanted jobs are rationed: backtests fill planner_backtest_target minus
-- the backtests already QUEUED/RUNNING fleet-wide, baselines before refreshes, the
-- rest CONCURRENCY_LIMIT (SKIPPED), or CIRCUIT_OPEN (BLOCKED) while the backtest
-- breaker is open; EVOLVE at most evolve_per_tick, IMPROVE at most
-- improve_per_tick per tick, the rest RATE_LIMITED (SKIPPED) — except an IMPROVE
-- candidate failing its gates, which is recorded as BLOCKED_BY_GATES (BLOCKED). (claim_jobs still
-- limits RUNNING backtests to backtest_concurrency.) An enqueue that finds an
-- active job turns into SKIPPED/ACTIVE_JOB_EXISTS; one that raises into
-- SKIPPED/ENQUEUE_FAILED (counted in errors).
--
-- The run row: bots_evaluated, jobs_enqueued, blocked (BLOCKED decisions), errors,
-- reasons {"REASON_CODE": count} and, when nothing was enqueued,
-- summary_reason_code: LOOP_DISABLED (loop off: no decision rows are written),
-- ALL_BOTS_HAVE_ACTIVE_JOBS (every bot ACTIVE_JOB_EXISTS), ALL_BOTS_COOLDOWN
-- (every bot COOLDOWN or ACTIVE_JOB_EXISTS), ALL_BOTS_BLOCKED_BY_GATES (at least
-- one BLOCKED_BY_GATES, the rest busy/cooling/capped/rate-limited/held from
-- evolving), CONCURRENCY_LIMIT or
-- CIRCUIT_OPEN (some bot wanted a backtest and could not get one), else
-- NO_CANDIDATES_MATCH_POLICY (no active bots, or all up to date).
create or replace function planner_tick() returns uuid
-- jit off: JIT compiling these large one-shot statements costs more than running them.
-- work_mem: the fleet's rows are sorted and hashed in memory, not spilled to disk
-- (ticks are serialised, so one tick holds it at a time).
language plpgsql volatile set jit = off set work_mem = '256MB' as $$
declare
    v_run uuid;
    v_loop boolean;
    v_target int;
    v_stale interval;
    v_cool interval;
    v_evolve_cycles int;
    v_evolve_below numeric;
    v_evolve_n int;
    v_improve_n int;
    v_improve_after int;
    v_cap int;
    v_breaker_open boolean;
    v_active_bots int;
    v_slots int;
    r record;
    v_res record;
    v_enq int := 0;
    v_err int := 0;
    v_reasons jsonb;
    v_summary text;
    v_pace interval;
    v_k int := 0;
    v_runners int;
begin
    perform pg_advisory_xact_lock(lock_key('planner_tick'));

    v_loop := setting('loop_enabled')::boolean;
    v_target := setting('planner_backtest_target')::int;
    v_stale := make_interval(mins => setting('baseline_stale_minutes')::int);
    v_cool := make_interval(secs => setting('bot_cooldown_seconds')::int);
    v_evolve_cycles := setting('evolve_after_failed_cycles')::int;
    v_evolve_below := setting('evolve_score_below')::numeric;
    v_evolve_n := setting('evolve_per_tick')::int;
    v_improve_n := setting('improve_per_tick')::int;
    v_improve_after := setting('improve_after_backtests')::int;
    v_cap := setting('population_cap')::int;

    insert into autonomy_planner_runs default values returning id into v_run;
    select count(*) into v_active_bots from bots where status = 'ACTIVE';

    if not v_loop then
        update autonomy_planner_runs
           set finished_at = clock_timestamp(), summary_reason_code = 'LOOP_DISABLED',
               reasons = jsonb_build_object('LOOP_DISABLED', 1)
         where id = v_run;
        return v_run;
    end if;

    select exists (select 1 from circuit_breakers where name = 'backtest' and state = 'OPEN' and closes_at > now())
      into v_breaker_open;
    select greatest(v_target - count(*), 0) into v_slots
      from bot_jobs j join job_kinds k on k.kind = j.job_type
     where j.status in ('QUEUED', 'RUNNING') and k.is_backtest;

    insert into autonomy_bot_decisions (planner_run_id, bot_id, decision, job_type, reason_code, details)
    -- One pass over the fleet: every lookup below is a join (index probes per bot
    -- for the latest score and the session count, hash joins for the small sets of
    -- busy bots, streaks and lineage holds); no per-bot function reads a table.
    with cand as materialized (
        select e.bot_id, e.created_at, e.session_id, e.completed_at, coalesce(n.sessions, 0) as sessions_since_reset,
               e.effective_reset_at,
               e.last_job_finished_at,
               busy.bot_id is not null as has_active,
               coalesce(st.failed_cycles, 0) as failed_cycles, st.passed_all,
               sc.total as score_total, sc.computed_at as score_at,
               e.roster_disabled, h.hold
          from bot_evidence e
          -- a runner's standing RUNNER_START job does not make the bot busy
          left join (select distinct j.bot_id from bot_jobs j join job_kinds k on k.kind = j.job_type
                      where j.status in ('QUEUED', 'RUNNING') and k.badge is distinct from 'RUNNER') busy
                 on busy.bot_id = e.bot_id
          left join bot_gate_streaks st on st.bot_id = e.bot_id
          left join evolution_holds h on h.bot_id = e.bot_id
          -- completed sessions since the effective reset (counted up to 1000)
          left join lateral (
                select count(*)::int as sessions from (
                    select 1 from backtest_sessions s2
                     where s2.bot_id = e.bot_id and s2.status = 'COMPLETED'
                       and s2.completed_at >= coalesce(e.effective_reset_at, '-infinity')
                     limit 1000) x) n on e.session_id is not null
          left join lateral (select s.total, s.computed_at from autonomy_scores s
                              where s.bot_id = e.bot_id order by s.computed_at desc, s.id desc limit 1) sc on true
         where e.status = 'ACTIVE'
    ), classified as materialized (
        select c.*,
               case
                   when c.has_active then 'ACTIVE_JOB_EXISTS'
                   when c.roster_disabled then 'ROSTER_DISABLED'
                   when c.last_job_finished_at > now() - v_cool then 'COOLDOWN'
                   when c.session_id is null then 'NO_BASELINE'
                   when c.completed_at < now() - v_stale then 'BASELINE_STALE'
                   when w.evolve and c.hold is not null then c.hold
                   when w.evolve and v_active_bots >= v_cap then 'POPULATION_CAP'
                   when w.evolve and c.failed_cycles >= v_evolve_cycles then 'GATES_FAILED_CYCLES'
                   when w.evolve then 'SCORE_BELOW_THRESHOLD'
                   when v_improve_n > 0 and c.sessions_since_reset >= greatest(v_improve_after, 1)
                       then 'IMPROVE_CANDIDATE'
                   when c.passed_all = false then 'BLOCKED_BY_GATES'
                   else 'UP_TO_DATE'
               end as want
          from cand c
         cross join lateral (
               select v_evolve_n > 0 and c.session_id is not null
                      and (c.failed_cycles >= v_evolve_cycles
                           or (c.score_total < v_evolve_below
                               and c.score_at >= coalesce(c.effective_reset_at, '-infinity'))) as evolve) w
    ), ranked as (
        select k.*,
               case k.want when 'NO_BASELINE' then 'BACKTEST_BASELINE' when 'BASELINE_STALE' then 'BACKTEST_REFRESH'
                           when 'GATES_FAILED_CYCLES' then 'EVOLVE' when 'SCORE_BELOW_THRESHOLD' then 'EVOLVE'
                           when 'POPULATION_CAP' then 'EVOLVE' when 'CANDIDATE_PENDING' then 'EVOLVE'
                           when 'EVOLVE_COOLDOWN' then 'EVOLVE' when 'PARAMS_EXHAUSTED' then 'EVOLVE'
                           when 'IMPROVE_CANDIDATE' then 'IMPROVE' end as job_type,
               row_number() over (
                   partition by case when k.want in ('NO_BASELINE', 'BASELINE_STALE') then 1
                                     when k.want in ('GATES_FAILED_CYCLES', 'SCORE_BELOW_THRESHOLD') then 2
                                     when k.want = 'IMPROVE_CANDIDATE' then 3 else 4 end
                   order by (k.want = 'NO_BASELINE') desc, k.completed_at nulls first, k.score_total nulls last,
                            k.failed_cycles desc, k.created_at, k.bot_id) as rn
          from classified k
    )
    select v_run, rk.bot_id,
           case when o.reason in ('NO_BASELINE', 'BASELINE_STALE', 'GATES_FAILED_CYCLES', 'SCORE_BELOW_THRESHOLD',
                                  'IMPROVE_CANDIDATE') then 'ENQUEUED'
                when o.reason in ('BLOCKED_BY_GATES', 'CIRCUIT_OPEN', 'POPULATION_CAP', 'PARAMS_EXHAUSTED', 'ROSTER_DISABLED')
                    then 'BLOCKED'
                else 'SKIPPED' end,
           rk.job_type, o.reason,
           jsonb_strip_nulls(jsonb_build_object(
               'wanted', case when o.reason <> rk.want then rk.want end,
               'session_id', rk.session_id, 'failed_cycles', nullif(rk.failed_cycles, 0),
               'score_total', rk.score_total, 'sessions_since_reset', rk.sessions_since_reset))
      from ranked rk
     cross join lateral (
           select case
                      when rk.want in ('NO_BASELINE', 'BASELINE_STALE') and v_breaker_open then 'CIRCUIT_OPEN'
                      when rk.want in ('NO_BASELINE', 'BASELINE_STALE') and rk.rn > v_slots then 'CONCURRENCY_LIMIT'
                      when rk.want in ('GATES_FAILED_CYCLES', 'SCORE_BELOW_THRESHOLD') and rk.rn > v_evolve_n
                          then 'RATE_LIMITED'
                      when rk.want = 'IMPROVE_CANDIDATE' and rk.rn > v_improve_n
                          then case when rk.passed_all = false then 'BLOCKED_BY_GATES' else 'RATE_LIMITED' end
                      else rk.want
                  end as reason) o;

    -- PAPER bots without a runner get a RUNNER_START job, due now (plan_paper_runners).
    v_runners := plan_paper_runners(v_run);

    -- Pace the tick's jobs evenly across the planner interval (baselines
    -- first) instead of releasing them in one burst: the load stays level and
    -- the queue shows work in flight between ticks, not only at the tick.
    select make_interval(secs => coalesce((select interval_seconds from schedules where name = 'planner'), 60)::double precision
                                 / greatest(count(*), 1))
      into v_pace
      from autonomy_bot_decisions d where d.planner_run_id = v_run and d.decision = 'ENQUEUED' and d.job_id is null;

    for r in select d.id, d.bot_id, d.job_type, d.reason_code
               from autonomy_bot_decisions d
              where d.planner_run_id = v_run and d.decision = 'ENQUEUED' and d.job_id is null
              order by (select k.default_priority from job_kinds k where k.kind = d.job_type), d.id
    loop
        begin
            select * into v_res
              from enqueue_job(r.bot_id, r.job_type, null,
                               jsonb_build_object('planner_run_id', v_run, 'reason_code', r.reason_code),
                               now() + v_pace * v_k, r.reason_code);
            v_k := v_k + 1;
            if v_res.created then
                update autonomy_bot_decisions set job_id = v_res.job_id where id = r.id;
                v_enq := v_enq + 1;
            else
                update autonomy_bot_decisions
                   set decision = 'SKIPPED', reason_code = 'ACTIVE_JOB_EXISTS', job_id = v_res.job_id,
                       details = details || jsonb_build_object('wanted', r.reason_code)
                 where id = r.id;
            end if;
        exception when others then
            update autonomy_bot_decisions
               set decision = 'SKIPPED', reason_code = 'ENQUEUE_FAILED',
                   details = details || jsonb_build_object('wanted', r.reason_code, 'error', sqlerrm,
                                                           'sqlstate', sqlstate)
             where id = r.id;
            v_err := v_err + 1;
        end;
    end loop;

    select coalesce(jsonb_object_agg(reason_code, n), '{}'),
           case when v_enq + v_runners > 0 then null
                when coalesce(sum(n), 0) = 0 then 'NO_CANDIDATES_MATCH_POLICY'
                when bool_and(reason_code = 'ACTIVE_JOB_EXISTS') then 'ALL_BOTS_HAVE_ACTIVE_JOBS'
                when bool_and(reason_code in ('COOLDOWN', 'ACTIVE_JOB_EXISTS')) then 'ALL_BOTS_COOLDOWN'
                when bool_or(reason_code = 'BLOCKED_BY_GATES')
                     and bool_and(reason_code in ('BLOCKED_BY_GATES', 'COOLDOWN', 'ACTIVE_JOB_EXISTS',
                                                  'POPULATION_CAP', 'RATE_LIMITED', 'CANDIDATE_PENDING',
                                                  'EVOLVE_COOLDOWN', 'PARAMS_EXHAUSTED', 'ROSTER_DISABLED'))
                    then 'ALL_BOTS_BLOCKED_BY_GATES'
                when bool_or(reason_code = 'CIRCUIT_OPEN') then 'CIRCUIT_OPEN'
                when bool_or(reason_code = 'CONCURRENCY_LIMIT') then 'CONCURRENCY_LIMIT'
                else 'NO_CANDIDATES_MATCH_POLICY' end
      into v_reasons, v_summary
      from (select reason_code, count(*)::int as n from autonomy_bot_decisions
             where planner_run_id = v_run group by reason_code) x;

    update autonomy_planner_runs p
       set finished_at = clock_timestamp(),
           bots_evaluated = (select count(distinct d.bot_id) from autonomy_bot_decisions d where d.planner_run_id = v_run),
           jobs_enqueued = v_enq + v_runners,
           blocked = (select count(*) from autonomy_bot_decisions d where d.planner_run_id = v_run and d.decision = 'BLOCKED'),
           errors = v_err, reasons = v_reasons, summary_reason_code = v_summary
     where p.id = v_run;
    return v_run;
end
$$;
