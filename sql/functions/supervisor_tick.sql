-- One supervisor cycle (schedule 'supervisor', every 180 s), set-based over every
-- ACTIVE bot. Ticks are serialised by an advisory lock. The ACTIVE bots' evidence
-- (bot_evidence) is read once, at the start; every step below works on that read,
-- and the gate rules are evaluated on it by gate_evaluations_of (the rules of the
-- view gate_evaluations). No per-bot loop but the kills (kill_bot). In order:
--
-- 1. Invariants → kill_bot: the latest effective session's max drawdown % at or
--    past settings.kill_drawdown_pct (KILL_DRAWDOWN), or the bot's last
--    settings.kill_after_failures finished backtest jobs all FAILED
--    (KILL_REPEATED_FAILURES).
-- 2. Scores → computed for every ACTIVE bot that has an effective session (a bot
--    without post-reset evidence is not scored; its older score stays history and
--    is ignored by the planner); an autonomy_scores row is written when it is the
--    bot's first, its evidence session changed or a component moved (so history
--    holds changes, not identical repeats). Components 0–100:
--    data_reliability  = source (databento/polygon 60, file 40, synthetic 20)
--                      + 25 proof of use: an OK integration_usage_events row of the
--                        session's provider under the session's trace_id
--                      + 15 verified provider: an OK job-less call (integrations/verify)
--                        to that real provider in the last 24 h;
--                        synthetic data is capped at 40
--    decision_quality  = 0 without trades; else, on the out-of-sample evidence:
--                        35 · clamp((deflated_sharpe − 0.5) / 0.45, 0, 1)           skill beyond luck
--                      + 25 · clamp(realized_pnl / (5% of simulated_equity), 0, 1)   profitability
--                      + 20 · clamp(profit_factor − 1, 0, 1)                        profit factor
--                      + 20 · share of the expectancy interval above zero
--                             (1 when ci_low ≥ 0, 0 when ci_high ≤ 0, else ci_high / (ci_high − ci_low);
--                              0 without an interval)
--    risk_discipline   = 70 · (1 − clamp(max_drawdown_pct / kill_drawdown_pct, 0, 1))  drawdown
--                      + 30 · share of the session's losing trades that exited at their
--                        STOP (trade_logs.exit_reason; 30 with no losers, 15 without trade logs)
--    execution_health  = over the bot's last 20 finished non-NOOP, non-CANCELLED jobs:
--                        100 · completed / finished − 5 per job that needed a retry
--                        (attempt > 1: failures or lease timeouts), clamped; 50 with none
--    supervisor_trust  = stability over the previous settings.supervisor_trust_window
--                        score rows (changes) of the total without trust itself,
--                        base = (0.20·data + 0.30·decision + 0.25·risk + 0.15·execution) / 0.90:
--                        clamp(100 − 5 · stddev_pop(base), 0, 100); 50 with no previous score
--    total             = 0.20·data + 0.30·decision + 0.25·risk + 0.15·execution + 0.10·trust
--    tier              = A ≥ 80, B ≥ 65, C ≥ 50, else D
--    AUTONOMY_SCORE_UPDATED {total, tier, previous_total, components, session_id} when
--    the total changed by ≥ 0.01 (or it is the first score); AUTONOMY_TIER_CHANGED
--    {from_tier, to_tier, total} when the tier differs from the previous score's.
-- 3. Demotions: an ACTIVE bot with evidence that fails any KEEP rule of its stage
--    (gate_evaluations kind KEEP; looser than the promotion into that stage, so
--    a bot does not flap) goes down one stage (reason KEEP_RULES_FAILED, or the
--    failing rule's own demotion_reason such as PAPER_DRAWDOWN; actor supervisor, apply_stage_moves — the writes
--    transition_stage makes; bot_stage_events and DEMOTED carry
--    {failures: [{rule_id, metric, comparator, threshold, actual, reason_code,
--    session_id}]}). A bot without evidence (e.g. after a reset) is never demoted
--    (the paper drawdown rule's evidence is a real-data paper sample);
--    a demoted bot's promotion gates are judged from its new stage next cycle.
-- 4. Gates (gate_evaluations kind PROMOTE) for every ACTIVE bot with evidence:
--    bot_gate_streaks gets passed_all, the failures and the streak. A cycle counts
--    as failed (failed_cycles + 1) when a performance rule fails — not when the
--    only failures are data availability (data_is_real, requires_real_data on
--    synthetic data), RISK_ENGINE_UNVERIFIED, which no strategy can fix, or paper
--    evidence still building up (PAPER_EVIDENCE_PENDING), which only time fixes; a pass
--    resets it to 0. AUTONOMY_GATE_BLOCKED {from_stage, to_stage, reason_code:
--    GATES_FAILED, failures, failed_cycles} when the set of failing rules changes.
--    A passing bot is promoted one stage (reason GATES_PASSED, actor supervisor;
--    apply_stage_moves, as transition_stage) when promotion_mode = AUTO,
--    or gets PROMOTION_RECOMMENDED
--    {from_stage, to_stage, reason_code, promotion_mode} when RECOMMEND (stage unchanged).
-- Returns {"killed", "demoted", "scored" (rows written), "evaluatedScores", "scoreEvents", "tierChanges", "evaluated", "blocked",
--          "blockedEvents", "promoted", "recommended"}.
create or replace function supervisor_tick() returns jsonb
-- jit off: JIT compiling these large one-shot statements costs more than running them.
-- work_mem: the fleet's rows are sorted and hashed in memory, not spilled to disk
-- (ticks are serialised, so one tick holds it at a time).
language plpgsql volatile set jit = off set work_mem = '256MB' as $$
declare
    v_kill_dd numeric;
    v_kill_fails int;
    v_equity numeric;
    v_window int;
    v_mode text;
    r record;
    v_killed int := 0;
    v_scored int;
    v_eval_scores int;
    v_score_events int;
    v_tier_events int;
    v_evaluated int;
    v_blocked int;
    v_blocked_events int;
    v_promoted int := 0;
    v_demoted_ids uuid[];
    v_ev bot_evidence[];
    v_killed_ids uuid[] := '{}';
    v_recommended int := 0;
begin
    perform pg_advisory_xact_lock(lock_key('supervisor_tick'));

    v_kill_dd := setting('kill_drawdown_pct')::numeric;
    v_kill_fails := setting('kill_after_failures')::int;
    v_equity := setting('simulated_equity')::numeric;
    v_window := setting('supervisor_trust_window')::int;
    v_mode := setting('promotion_mode') #>> '{}';

    -- The evidence of every ACTIVE bot, read once (bot_evidence is the tick's main
    -- read) for the kill check, the scores and the gates below. Only a kill changes
    -- a bot's row in between, so those steps skip the bots killed in step 1.
    v_ev := array(select e from bot_evidence e where e.status = 'ACTIVE');

    -- 1. Invariants.
    for r in
        select e.bot_id as id, k.reason, k.details
          from unnest(v_ev) e
          left join lateral (
                select count(*) filter (where j.status = 'FAILED') as failed, count(*) as n
                  from (select j.status from bot_jobs j join job_kinds jk on jk.kind = j.job_type
                         where j.bot_id = e.bot_id and j.finished_at is not null and jk.is_backtest
                         order by j.created_at desc limit v_kill_fails) j) f on true
         cross join lateral (
                select case when e.max_drawdown_pct >= v_kill_dd then 'KILL_DRAWDOWN'
                            when f.n >= v_kill_fails and f.failed = f.n then 'KILL_REPEATED_FAILURES' end as reason,
                       case when e.max_drawdown_pct >= v_kill_dd
                            then jsonb_build_object('max_drawdown_pct', e.max_drawdown_pct, 'threshold', v_kill_dd,
                                                    'session_id', e.session_id)
                            else jsonb_build_object('consecutive_failures', f.failed, 'threshold', v_kill_fails) end
                           as details) k
         where k.reason is not null
         order by e.bot_id
    loop
        perform kill_bot(r.id, r.reason, r.details);
        v_killed := v_killed + 1;
        v_killed_ids := v_killed_ids || r.id;
    end loop;

    -- 2. Scores.
    with verified as (
        select distinct u.provider from integration_usage_events u
         where u.job_id is null and u.status = 'OK' and u.created_at > now() - interval '24 hours'
           and u.provider in ('databento', 'polygon')
    ), inp as materialized (
        -- materialized: the subqueries below run once per bot, not once per use
        select e.bot_id, e.session_id, e.data_source, e.trades_count, e.realized_pnl, e.win_rate, e.profit_factor,
               e.max_drawdown_pct, e.deflated_sharpe, e.expectancy_ci_low, e.expectancy_ci_high,
               exists (select 1 from integration_usage_events u
                        where u.trace_id = e.session_trace_id and u.status = 'OK' and u.provider = e.data_source)
                   as proof_of_use,
               exists (select 1 from verified v where v.provider = e.data_source) as provider_verified,
               t.losers, t.losers_at_stop, t.logged,
               jh.finished, jh.completed, jh.retried,
               pv.n_prev, pv.sd_prev, ls.last_total, ls.last_tier, ls.last_session, ls.last_components
          from unnest(v_ev) e
          left join lateral (
                select count(*) filter (where tl.pnl < 0) as losers,
                       count(*) filter (where tl.pnl < 0 and tl.exit_reason = 'STOP') as losers_at_stop,
                       count(*) as logged
                  from trade_logs tl where tl.session_id = e.session_id) t on true
          left join lateral (
                select count(*) as finished, count(*) filter (where j.status = 'COMPLETED') as completed,
                       count(*) filter (where j.attempt > 1) as retried
                  from (select j.status, j.attempt from bot_jobs j
                         where j.bot_id = e.bot_id and j.finished_at is not null
                           and j.status in ('COMPLETED', 'FAILED') and j.job_type <> 'NOOP'
                         order by j.created_at desc limit 20) j) jh on true
          -- the previous supervisor_trust_window scores (≥ 2, so they hold the latest)
          left join lateral (
                select count(*) as n_prev, stddev_pop(p.base) as sd_prev
                  from (select -- the total without trust itself (no feedback loop)
                               (0.20 * s.data_reliability + 0.30 * s.decision_quality + 0.25 * s.risk_discipline
                                + 0.15 * s.execution_health) / 0.90 as base
                          from autonomy_scores s
                         where s.bot_id = e.bot_id order by s.computed_at desc, s.id desc limit v_window) p) pv on true
          -- and the latest of them
          left join lateral (
                select s.total as last_total, s.tier as last_tier, (s.inputs ->> 'session_id')::uuid as last_session,
                       array[s.data_reliability, s.decision_quality, s.risk_discipline, s.execution_health,
                             s.supervisor_trust]::text as last_components
                  from autonomy_scores s
                 where s.bot_id = e.bot_id order by s.computed_at desc, s.id desc limit 1) ls on true
         where e.session_id is not null and e.bot_id not in (select unnest(v_killed_ids))
    ), comp as (
        select i.*,
               -- data_reliability: source, proof of use, verified provider; synthetic capped at 40.
               least(case i.data_source when 'databento' then 60 when 'polygon' then 60 when 'file' then 40 else 20 end
                     + case when i.proof_of_use then 25 else 0 end
                     + case when i.provider_verified then 15 else 0 end,
                     case when is_real_data(i.data_source) then 100 else 40 end)::numeric as dr,
               -- decision_quality, all out of sample: skill beyond luck (deflated Sharpe 0.5→0.95),
               -- profitability (5% of equity = full), profit factor 1→2, share of the expectancy
               -- interval above zero.
               case when coalesce(i.trades_count, 0) = 0 then 0::numeric else
                   35 * least(greatest((coalesce(i.deflated_sharpe, 0)::numeric - 0.5) / 0.45, 0), 1)
                   + 25 * least(greatest(coalesce(i.realized_pnl, 0) / (0.05 * v_equity), 0), 1)
                   + 20 * least(greatest(coalesce(i.profit_factor, 0)::numeric - 1, 0), 1)
                   + 20 * case when i.expectancy_ci_low is null then 0
                               when i.expectancy_ci_low >= 0 then 1
                               when i.expectancy_ci_high <= 0 then 0
                               else (i.expectancy_ci_high / (i.expectancy_ci_high - i.expectancy_ci_low))::numeric
                          end end as dq,
               -- risk_discipline: drawdown against the kill threshold, losses taken at the stop.
               70 * (1 - least(greatest(coalesce(i.max_drawdown_pct, 0)::numeric / v_kill_dd, 0), 1))
               + case when i.logged = 0 then 15 when i.losers = 0 then 30
                      else 30 * i.losers_at_stop::numeric / i.losers end as rd,
               -- execution_health: completed share of recent finished jobs, −5 per retried job.
               case when i.finished = 0 then 50::numeric
                    else least(greatest(100 * i.completed::numeric / i.finished - 5 * i.retried, 0), 100) end as eh,
               -- supervisor_trust: stability of the previous totals.
               case when i.n_prev = 0 then 50::numeric
                    else least(greatest(100 - 5 * coalesce(i.sd_prev, 0), 0), 100) end as st
          from inp i
    ), totals as (
        select c.*, round(0.20 * c.dr + 0.30 * c.dq + 0.25 * c.rd + 0.15 * c.eh + 0.10 * c.st, 2) as total
          from comp c
    ), changed as (
        select t.*,
               case when t.total >= 80 then 'A' when t.total >= 65 then 'B' when t.total >= 50 then 'C' else 'D' end as tier
          from totals t
         -- A row only when something changed: the first score, a new session, or a
         -- component moved by 0.01 or more (an unchanged bot adds no history).
         where t.last_total is null or t.last_session is distinct from t.session_id
            or t.last_components is distinct from
               array[round(t.dr, 2), round(t.dq, 2), round(t.rd, 2), round(t.eh, 2), round(t.st, 2)]::text
    ), ins as (
        insert into autonomy_scores (bot_id, data_reliability, decision_quality, risk_discipline, execution_health,
                                     supervisor_trust, total, tier, inputs)
        select t.bot_id, round(t.dr, 2), round(t.dq, 2), round(t.rd, 2), round(t.eh, 2), round(t.st, 2), t.total,
               t.tier,
               jsonb_build_object('session_id', t.session_id, 'data_source', t.data_source,
                                  'proof_of_use', t.proof_of_use, 'provider_verified', t.provider_verified,
                                  'trades_count', t.trades_count, 'realized_pnl', t.realized_pnl,
                                  'win_rate', t.win_rate, 'profit_factor', t.profit_factor,
                                  'deflated_sharpe', t.deflated_sharpe, 'expectancy_ci_low', t.expectancy_ci_low,
                                  'expectancy_ci_high', t.expectancy_ci_high,
                                  'max_drawdown_pct', t.max_drawdown_pct, 'losers', t.losers,
                                  'losers_at_stop', t.losers_at_stop, 'jobs_finished', t.finished,
                                  'jobs_completed', t.completed, 'jobs_retried', t.retried,
                                  'previous_scores', t.n_prev)
          from changed t
         order by t.bot_id
        returning 1
    -- The events of the rows written, from the same values (not joined back to ins).
    ), upd_ev as (
        insert into activity_events (event_type, bot_id, payload)
        select 'AUTONOMY_SCORE_UPDATED', t.bot_id,
               jsonb_build_object('total', t.total, 'tier', t.tier, 'previous_total', t.last_total,
                                  'session_id', t.session_id,
                                  'components', jsonb_build_object('data_reliability', round(t.dr, 2),
                                      'decision_quality', round(t.dq, 2), 'risk_discipline', round(t.rd, 2),
                                      'execution_health', round(t.eh, 2), 'supervisor_trust', round(t.st, 2)))
          from changed t
         where t.last_total is null or abs(t.last_total - t.total) >= 0.01
         order by t.bot_id
        returning 1
    ), tier_ev as (
        insert into activity_events (event_type, bot_id, payload)
        select 'AUTONOMY_TIER_CHANGED', t.bot_id,
               jsonb_build_object('from_tier', t.last_tier, 'to_tier', t.tier, 'total', t.total)
          from changed t
         where t.last_tier is not null and t.last_tier <> t.tier
         order by t.bot_id
        returning 1
    )
    select (select count(*) from ins), (select count(*) from totals), (select count(*) from upd_ev),
           (select count(*) from tier_ev)
      into v_scored, v_eval_scores, v_score_events, v_tier_events;

    -- 3. Demotions, one apply_stage_moves per reason (the failing rule's demotion_reason).
    -- The gate rules are evaluated on the evidence read above (gate_evaluations_of,
    -- as the view gate_evaluations does): the KEEP rules here, the PROMOTE rules in
    -- step 4, so each rule is evaluated once per bot. A demotion changes only the
    -- demoted bots, which step 4 then skips.
    v_demoted_ids := '{}';
    for r in
        select d.reason, array_agg(d.bot_id order by d.bot_id) as ids, array_agg(d.to_stage order by d.bot_id) as tos,
               array_agg(jsonb_build_object('failures', d.failures) order by d.bot_id) as details
          from (select ge.bot_id, min(ge.to_stage) as to_stage,
                       -- a specific reason (PAPER_DRAWDOWN) over the generic KEEP_RULES_FAILED
                       coalesce(min(ge.demotion_reason) filter (where ge.demotion_reason <> 'KEEP_RULES_FAILED'),
                                'KEEP_RULES_FAILED') as reason,
                       jsonb_agg(jsonb_build_object('rule_id', ge.rule_id, 'metric', ge.metric, 'comparator', ge.comparator,
                                                    'threshold', ge.threshold, 'actual', ge.actual,
                                                    'reason_code', ge.failure_code, 'session_id', ge.session_id)
                                 order by ge.rule_id) as failures
                  from unnest(v_ev) e
                 cross join lateral gate_evaluations_of(
                           e.bot_id, e.stage, e.session_id, e.data_source, e.trades_count, e.realized_pnl,
                           e.profit_factor, e.max_drawdown_pct, e.sharpe, e.sortino, e.win_rate, e.expectancy, e.sqn,
                           e.last_job_status, e.expectancy_ci_low, e.expectancy_ci_high, e.deflated_sharpe,
                           e.roster_disabled) ge
                 where ge.kind = 'KEEP' and not ge.passed and ge.has_evidence
                   and e.bot_id not in (select unnest(v_killed_ids))
                 group by ge.bot_id) d
         group by d.reason
    loop
        perform apply_stage_moves(r.ids, r.tos, r.reason, 'supervisor', r.details);
        v_demoted_ids := v_demoted_ids || r.ids;
    end loop;

    -- 4. Gates.
    with g as (
        -- per bot, a lateral aggregate: no sort of the whole fleet's rule rows
        select e.bot_id, a.from_stage, a.to_stage, a.passed_all, a.counts, a.failing, a.failures
          from unnest(v_ev) e
         cross join lateral (
               select count(*) as rules, min(ge.from_stage) as from_stage, min(ge.to_stage) as to_stage,
                      bool_and(ge.passed) as passed_all,
                      bool_or(not ge.passed and ge.failure_code not in ('RISK_ENGINE_UNVERIFIED', 'SYNTHETIC_DATA',
                                                                        'PAPER_EVIDENCE_PENDING')
                              and ge.metric <> 'data_is_real') as counts,
                      coalesce(array_agg(ge.rule_id order by ge.rule_id) filter (where not ge.passed), '{}') as failing,
                      coalesce(jsonb_agg(jsonb_build_object('rule_id', ge.rule_id, 'metric', ge.metric,
                                                            'comparator', ge.comparator, 'threshold', ge.threshold,
                                                            'actual', ge.actual, 'reason_code', ge.failure_code,
                                                            'suggested_fix', ge.suggested_fix)
                                         order by ge.rule_id) filter (where not ge.passed), '[]') as failures
                 from gate_evaluations_of(e.bot_id, e.stage, e.session_id, e.data_source, e.trades_count,
                                          e.realized_pnl, e.profit_factor, e.max_drawdown_pct, e.sharpe, e.sortino,
                                          e.win_rate, e.expectancy, e.sqn, e.last_job_status, e.expectancy_ci_low,
                                          e.expectancy_ci_high, e.deflated_sharpe, e.roster_disabled) ge
                where ge.kind = 'PROMOTE' and ge.has_evidence) a
         -- bots without a PROMOTE rule judged (no evidence, no next stage) get no streak
         where a.rules > 0
           -- a bot demoted just now is judged from its new stage next cycle
           and e.bot_id not in (select unnest(v_killed_ids)) and e.bot_id not in (select unnest(v_demoted_ids))
    ), old as (
        select s.bot_id, s.passed_all, s.failed_cycles,
               coalesce((select array_agg((f ->> 'rule_id')::int order by (f ->> 'rule_id')::int)
                           from jsonb_array_elements(s.last_failures) f), '{}') as failing
          from bot_gate_streaks s
    ), up as (
        insert into bot_gate_streaks as s (bot_id, failed_cycles, last_evaluated_at, next_stage, passed_all,
                                           last_failures, blocked_since)
        select g.bot_id, case when not g.passed_all and g.counts then 1 else 0 end, now(), g.to_stage, g.passed_all,
               g.failures, case when g.passed_all then null else now() end
          from g
        on conflict (bot_id) do update
           -- excluded.failed_cycles is 1 when this cycle counts as failed, else 0.
           set failed_cycles = case when excluded.passed_all then 0 else s.failed_cycles + excluded.failed_cycles end,
               last_evaluated_at = excluded.last_evaluated_at, next_stage = excluded.next_stage,
               passed_all = excluded.passed_all, last_failures = excluded.last_failures,
               blocked_since = case when excluded.passed_all then null else coalesce(s.blocked_since, now()) end
        returning s.bot_id, s.failed_cycles
    ), blk as (
        insert into activity_events (event_type, bot_id, payload)
        select 'AUTONOMY_GATE_BLOCKED', g.bot_id,
               jsonb_build_object('from_stage', g.from_stage, 'to_stage', g.to_stage,
                                  'reason_code', case when g.to_stage in ('CANARY', 'LIVE') then 'RISK_ENGINE_UNVERIFIED'
                                                      else 'GATES_FAILED' end,
                                  'failures', g.failures, 'failed_cycles', up.failed_cycles)
          from g join up on up.bot_id = g.bot_id
          left join old o on o.bot_id = g.bot_id
         where not g.passed_all and (o.bot_id is null or o.failing is distinct from g.failing
                                     or o.passed_all is distinct from false)
        returning 1
    )
    select (select count(*) from g), (select count(*) from g where not passed_all), (select count(*) from blk)
      into v_evaluated, v_blocked, v_blocked_events;

    -- Promotions for bots that pass now (their gates were evaluated just above, in
    -- this transaction). AUTO applies them in one call of apply_stage_moves (the
    -- stage-change writes transition_stage uses too); RECOMMEND records one
    -- PROMOTION_RECOMMENDED per bot and target stage (not again every cycle).
    if v_mode = 'AUTO' then
        select apply_stage_moves(array_agg(m.bot_id), array_agg(m.to_stage), 'GATES_PASSED', 'supervisor')
          into v_promoted
          from (select b.id as bot_id, s.next_stage as to_stage
                  from bot_gate_streaks s join bots b on b.id = s.bot_id
                 where s.passed_all and s.last_evaluated_at = now() and b.status = 'ACTIVE'
                   and s.next_stage in ('PAPER', 'SHADOW')) m;
    else
        with rec as (
            insert into activity_events (event_type, bot_id, payload)
            select 'PROMOTION_RECOMMENDED', s.bot_id,
                   jsonb_build_object('from_stage', b.stage, 'to_stage', s.next_stage, 'reason_code', 'GATES_PASSED',
                                      'promotion_mode', v_mode)
              from bot_gate_streaks s join bots b on b.id = s.bot_id
             where s.passed_all and s.last_evaluated_at = now() and b.status = 'ACTIVE'
               and s.next_stage in ('PAPER', 'SHADOW')
               and not exists (select 1 from activity_events a
                                where a.bot_id = s.bot_id and a.event_type = 'PROMOTION_RECOMMENDED'
                                  and a.payload ->> 'to_stage' = s.next_stage
                                  and a.created_at >= b.stage_updated_at)
            returning 1
        )
        select count(*) into v_recommended from rec;
    end if;

    return jsonb_build_object('killed', v_killed, 'demoted', cardinality(v_demoted_ids), 'scored', v_scored, 'evaluatedScores', v_eval_scores, 'scoreEvents', v_score_events,
                              'tierChanges', v_tier_events, 'evaluated', v_evaluated, 'blocked', v_blocked,
                              'blockedEvents', v_blocked_events, 'promoted', v_promoted,
                              'recommended', v_recommended);
end
$$;
