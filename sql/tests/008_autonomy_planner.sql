-- The planner and the metrics reset: a disabled loop enqueues nothing and says
-- LOOP_DISABLED; baselines fill planner_backtest_target (baselines before
-- refreshes) and the rest wait with CONCURRENCY_LIMIT; the summary reason of a
-- tick that enqueues nothing (ALL_BOTS_HAVE_ACTIVE_JOBS, ALL_BOTS_COOLDOWN,
-- ALL_BOTS_BLOCKED_BY_GATES, CIRCUIT_OPEN); EVOLVE and IMPROVE candidates,
-- rate limits and the population cap; scores; a reset dry run changes nothing;
-- a reset hides older sessions from gates, scores and the planner.
begin;
select plan(70);

\ir fixtures/autonomy_fleet.sql
update settings set value = '3' where key = 'planner_backtest_target';
update settings set value = '120' where key = 'bot_cooldown_seconds';
update settings set value = '60' where key = 'baseline_stale_minutes';
update settings set value = '60' where key = 'population_cap';
update settings set value = '2' where key = 'evolve_per_tick';
update settings set value = '1' where key = 'improve_per_tick';
update settings set value = '35' where key = 'evolve_score_below';
-- Stages stay put here (007 covers promotions): passing bots are only recommended.
update settings set value = '"RECOMMEND"' where key = 'promotion_mode';

create function pg_temp.run(p_id uuid) returns autonomy_planner_runs language sql as $$
    select * from autonomy_planner_runs where id = p_id $$;
create temp table t (run uuid);
create function pg_temp.tick() returns uuid language plpgsql as $$
declare v uuid;
begin
    v := planner_tick();
    delete from t;
    insert into t values (v);
    return v;
end $$;
create function pg_temp.last() returns autonomy_planner_runs language sql as $$
    select p.* from autonomy_planner_runs p join t on t.run = p.id $$;
create function pg_temp.reason(p_bot uuid) returns text language sql as $$
    select d.reason_code from autonomy_bot_decisions d join t on t.run = d.planner_run_id where d.bot_id = p_bot $$;

-- ---------------------------------------------------------------- loop disabled
select is(set_loop_enabled(false, 'test') ->> 'loopEnabled', 'false', 'the loop is switched off');
select pg_temp.tick();
select is((pg_temp.last()).summary_reason_code, 'LOOP_DISABLED', 'a disabled tick says LOOP_DISABLED');
select is((pg_temp.last()).jobs_enqueued, 0, 'and enqueues nothing');
select is((select count(*)::int from bot_jobs), 0, 'no job exists');
select is((pg_temp.last()).reasons, '{"LOOP_DISABLED": 1}'::jsonb, 'its reasons say so');
select is(api_proof_autonomy() -> 'lastDecisionSummary' -> 'reasonsTop', '[{"reasonCode": "LOOP_DISABLED", "count": 1}]',
          'and so does the autonomy proof');
select is((api_proof_autonomy() ->> 'loopEnabled')::boolean, false, 'which shows the loop off');
select is((select count(*)::int from activity_events where event_type = 'AUTONOMY_LOOP_TOGGLED'), 1,
          'switching is in the feed');
select set_loop_enabled(true, 'test');

-- ---------------------------------------------------------------- baselines within the target
select pg_temp.tick();
select is((pg_temp.last()).jobs_enqueued, 3, 'five bots without a baseline: three enqueued (target 3)');
select is((pg_temp.last()).reasons, '{"NO_BASELINE": 3, "CONCURRENCY_LIMIT": 2}'::jsonb, 'the others wait');
select is((pg_temp.last()).bots_evaluated, 5, 'every active bot is evaluated');
select is((pg_temp.last()).summary_reason_code, null, 'a tick that enqueued has no summary reason');
select is((select count(*)::int from bot_jobs where job_type = 'BACKTEST_BASELINE' and status = 'QUEUED' and priority = 50),
          3, 'as BACKTEST_BASELINE jobs, priority 50');
select is((select count(*)::int from autonomy_bot_decisions d join t on t.run = d.planner_run_id
            join bot_jobs j on j.id = d.job_id where d.decision = 'ENQUEUED'), 3, 'each decision names its job');
select is((select count(*)::int from job_run_events where reason_code = 'NO_BASELINE'), 3,
          'the job''s creation carries the reason');

select pg_temp.tick();
select is((pg_temp.last()).reasons, '{"ACTIVE_JOB_EXISTS": 3, "CONCURRENCY_LIMIT": 2}'::jsonb,
          'the next tick does not exceed the target');
select is((pg_temp.last()).summary_reason_code, 'CONCURRENCY_LIMIT', 'and says why nothing was enqueued');

-- Every bot busy.
select enqueue_job(id, 'GRID') from bots where not exists (select 1 from bot_jobs j where j.bot_id = bots.id);
select pg_temp.tick();
select is((pg_temp.last()).summary_reason_code, 'ALL_BOTS_HAVE_ACTIVE_JOBS', 'every bot busy: ALL_BOTS_HAVE_ACTIVE_JOBS');
select is((pg_temp.last()).reasons, '{"ACTIVE_JOB_EXISTS": 5}'::jsonb, 'five ACTIVE_JOB_EXISTS');

-- Every bot cooling down (its last job just finished).
select cancel_job(id) from bot_jobs where status = 'QUEUED';
select pg_temp.tick();
select is((pg_temp.last()).summary_reason_code, 'ALL_BOTS_COOLDOWN', 'every bot just finished: ALL_BOTS_COOLDOWN');
select is(pg_temp.reason(pg_temp.bot('Bot 1')), 'COOLDOWN', 'per bot COOLDOWN');
update bot_jobs set finished_at = now() - interval '119 seconds';
select pg_temp.tick();
select is(pg_temp.reason(pg_temp.bot('Bot 1')), 'COOLDOWN', 'still cooling at 119 s (cooldown 120 s)');
select cancel_job(id) from bot_jobs where status = 'QUEUED';
update bot_jobs set finished_at = now() - interval '121 seconds';

-- ---------------------------------------------------------------- stale, breaker, order
-- Bots 1–4 have a fresh good session, bot 5 a stale one.
select pg_temp.session(b.id) from bots b where b.name <> 'Bot 5';
select pg_temp.session(pg_temp.bot('Bot 5'), jsonb_build_object('completed_at', now() - interval '61 minutes'));
update settings set value = '0' where key = 'improve_per_tick';
update settings set value = '0' where key = 'evolve_score_below';
select pg_temp.tick();
select is(pg_temp.reason(pg_temp.bot('Bot 5')), 'BASELINE_STALE', 'a session older than the staleness window: refresh');
select is((select job_type from bot_jobs where bot_id = pg_temp.bot('Bot 5') and status = 'QUEUED'), 'BACKTEST_REFRESH',
          'as BACKTEST_REFRESH');
select is(pg_temp.reason(pg_temp.bot('Bot 1')), 'UP_TO_DATE', 'a fresh passing bot with nothing to do is UP_TO_DATE');
select cancel_job(id) from bot_jobs where status = 'QUEUED';
update bot_jobs set finished_at = now() - interval '10 minutes';

update circuit_breakers set state = 'OPEN', opened_at = now(), closes_at = now() + interval '5 minutes';
select pg_temp.tick();
select is(pg_temp.reason(pg_temp.bot('Bot 5')), 'CIRCUIT_OPEN', 'an open breaker blocks the refresh');
select is((pg_temp.last()).summary_reason_code, 'CIRCUIT_OPEN', 'and the tick says so');
update circuit_breakers set state = 'CLOSED', opened_at = null, closes_at = null;

-- Baselines before refreshes: one free slot, bot 4 loses its session.
update settings set value = '1' where key = 'planner_backtest_target';
delete from backtest_sessions where bot_id = pg_temp.bot('Bot 4');
select pg_temp.tick();
select is(pg_temp.reason(pg_temp.bot('Bot 4')), 'NO_BASELINE', 'the one slot goes to the baseline');
select is(pg_temp.reason(pg_temp.bot('Bot 5')), 'CONCURRENCY_LIMIT', 'the refresh waits');
select cancel_job(id) from bot_jobs where status = 'QUEUED';
update bot_jobs set finished_at = now() - interval '10 minutes';
select pg_temp.session(pg_temp.bot('Bot 4'));
select pg_temp.session(pg_temp.bot('Bot 5'));

-- ---------------------------------------------------------------- gates block, evolve, improve
select pg_temp.session(b.id, '{"trades_count": 5}') from bots b;
select supervisor_tick();
select pg_temp.tick();
select is((pg_temp.last()).summary_reason_code, 'ALL_BOTS_BLOCKED_BY_GATES', 'all failing gates: ALL_BOTS_BLOCKED_BY_GATES');
select is((pg_temp.last()).blocked, 5, 'five blocked decisions');
select is((select count(*)::int from autonomy_bot_decisions d join t on t.run = d.planner_run_id
            where d.decision = 'BLOCKED' and d.reason_code = 'BLOCKED_BY_GATES'), 5, 'each BLOCKED_BY_GATES');
select is(api_proof_autonomy() -> 'lastDecisionSummary',
          '{"botsEvaluated": 5, "jobsEnqueued": 0, "blocked": 5, "reasonsTop": [{"reasonCode": "ALL_BOTS_BLOCKED_BY_GATES", "count": 5}, {"reasonCode": "BLOCKED_BY_GATES", "count": 5}]}',
          'the autonomy proof summarises the last tick and says first why nothing was enqueued');

update bot_gate_streaks set failed_cycles = 3 where bot_id in (pg_temp.bot('Bot 1'), pg_temp.bot('Bot 2'), pg_temp.bot('Bot 3'));
update settings set value = '5' where key = 'population_cap';
select pg_temp.tick();
select is(pg_temp.reason(pg_temp.bot('Bot 1')), 'POPULATION_CAP', 'an evolution candidate at the population cap is blocked');
select is((pg_temp.last()).jobs_enqueued, 0, 'nothing enqueued at the cap');
update settings set value = '60' where key = 'population_cap';
select pg_temp.tick();
select is((pg_temp.last()).jobs_enqueued, 2, 'three evolution candidates, evolve_per_tick 2');
select is((select count(*)::int from bot_jobs where job_type = 'EVOLVE' and status = 'QUEUED'), 2, 'two EVOLVE jobs');
select is((pg_temp.last()).reasons ->> 'GATES_FAILED_CYCLES', '2', 'reason GATES_FAILED_CYCLES');
select is((pg_temp.last()).reasons ->> 'RATE_LIMITED', '1', 'the third is RATE_LIMITED');
select is((select count(*)::int from activity_events where event_type = 'EVOLVE_QUEUED'), 2, 'EVOLVE_QUEUED in the feed');
select cancel_job(id) from bot_jobs where status = 'QUEUED';
update bot_jobs set finished_at = now() - interval '10 minutes';

-- A candidate of Bot 1 awaits its verdict: the lineage evolved minutes ago (EVOLVE_COOLDOWN), and at
-- evolve_candidates_per_lineage 1 the pending candidate holds it first (CANDIDATE_PENDING).
insert into bots (name, archetype_slug, instrument, timeframe, params_hash, generation, parent_bot_id, root_bot_id,
                  origin, status)
select 'Bot 1 Gen 2', archetype_slug, instrument, timeframe, 'h1b', 2, id, id, 'EVOLVED', 'CANDIDATE'
  from bots where name = 'Bot 1';
insert into evolution_selections (candidate_bot_id, parent_bot_id, root_bot_id, step_scale, started_at)
select c.id, c.parent_bot_id, c.root_bot_id, 1, now() - interval '5 minutes' from bots c where c.name = 'Bot 1 Gen 2';
update settings set value = '1' where key = 'improve_per_tick';
update bot_gate_streaks set failed_cycles = 0 where bot_id <> pg_temp.bot('Bot 1');
select pg_temp.session(b.id) from bots b where b.name in ('Bot 2', 'Bot 3', 'Bot 4', 'Bot 5');
select supervisor_tick();
select pg_temp.tick();
select is(pg_temp.reason(pg_temp.bot('Bot 1')), 'EVOLVE_COOLDOWN', 'a lineage that evolved 5 minutes ago waits (EVOLVE_COOLDOWN)');
select is((select count(*)::int from bot_jobs where job_type = 'IMPROVE' and status = 'QUEUED'), 1,
          'one IMPROVE per tick (improve_per_tick 1)');
select is((pg_temp.last()).reasons ->> 'IMPROVE_CANDIDATE', '1', 'reason IMPROVE_CANDIDATE');
select is((select count(*)::int from activity_events where event_type = 'IMPROVE_QUEUED'), 1, 'IMPROVE_QUEUED in the feed');
select cancel_job(id) from bot_jobs where status = 'QUEUED';
update bot_jobs set finished_at = now() - interval '10 minutes';
update settings set value = '1' where key = 'evolve_candidates_per_lineage';
select pg_temp.tick();
select is(pg_temp.reason(pg_temp.bot('Bot 1')), 'CANDIDATE_PENDING', 'a pending candidate at the per-lineage cap holds it (CANDIDATE_PENDING)');
select is((select job_type from autonomy_bot_decisions where bot_id = pg_temp.bot('Bot 1') order by id desc limit 1), 'EVOLVE',
          'the decision names the job it held back');
update settings set value = '2' where key = 'evolve_candidates_per_lineage';

-- ---------------------------------------------------------------- scores
-- Bot 2: synthetic, no proof of use, trades 30, pnl 2500 (5% of 50k), win 0.6, PF 2, no drawdown, no trade logs.
update backtest_sessions set realized_pnl = 2500, win_rate = 0.6, profit_factor = 2, max_drawdown_pct = 0
 where bot_id = pg_temp.bot('Bot 2');
delete from bot_jobs where bot_id = pg_temp.bot('Bot 2');
delete from autonomy_scores where bot_id = pg_temp.bot('Bot 2');
select supervisor_tick();
select results_eq($$select data_reliability, decision_quality, risk_discipline, execution_health, supervisor_trust, total, tier
                      from autonomy_scores where bot_id = pg_temp.bot('Bot 2') order by id desc limit 1$$,
                  $$values (20.00, 100.00, 85.00, 50.00, 50.00, 67.75, 'B')$$,
                  'the score follows the documented formula (20·.2 + 100·.3 + 85·.25 + 50·.15 + 50·.1 = 67.75, tier B)');
select is((select count(*)::int from activity_events where bot_id = pg_temp.bot('Bot 2') and event_type = 'AUTONOMY_SCORE_UPDATED'
            and payload ->> 'total' = '67.75'), 1, 'AUTONOMY_SCORE_UPDATED for a new score');
-- Proof of use under the session's trace and real data raise data_reliability.
update backtest_sessions set data_source = 'databento' where bot_id = pg_temp.bot('Bot 2');
with j as (insert into bot_jobs (bot_id, job_type, status, attempt, started_at, finished_at, created_at)
           values (pg_temp.bot('Bot 2'), 'BACKTEST_REFRESH', 'COMPLETED', 1, now(), now() - interval '10 minutes',
                   now() - interval '11 minutes') returning id)
insert into integration_usage_events (provider, endpoint, status, trace_id, bot_id, job_id)
select 'databento', 'timeseries.get_range', 'OK', s.trace_id, s.bot_id, j.id
  from backtest_sessions s, j where s.bot_id = pg_temp.bot('Bot 2');
select supervisor_tick();
select is((select data_reliability from autonomy_scores where bot_id = pg_temp.bot('Bot 2') order by id desc limit 1),
          85.00, 'real data (60) + proof of use under the session''s trace (25)');
insert into integration_usage_events (provider, endpoint, status) values ('databento', 'verify', 'OK');
select supervisor_tick();
select is((select data_reliability from autonomy_scores where bot_id = pg_temp.bot('Bot 2') order by id desc limit 1),
          100.00, 'plus a verified provider (15)');
select is((select execution_health from autonomy_scores where bot_id = pg_temp.bot('Bot 2') order by id desc limit 1),
          100.00, 'one completed job: execution health 100');

-- ---------------------------------------------------------------- metrics reset
create temp table before as select (select value from settings where key = 'metrics_reset_at') as setting,
    (select count(*) from activity_events) as events, (select count(*) from bots where metrics_reset_at is not null) as bots;
select is((reset_metrics(true, '"ALL"', 'INSTITUTIONAL_RESET_REQUIRED', 'test') ->> 'dryRun')::boolean, true,
          'a dry run answers');
select is((select value from settings where key = 'metrics_reset_at'), (select setting from before), 'and changes no setting');
select is((select count(*) from activity_events), (select events from before), 'writes no event');
select ok((reset_metrics(true, '"ALL"', 'INSTITUTIONAL_RESET_REQUIRED', 'test') ->> 'sessionsExcluded')::int >= 5,
          'but says how many sessions a reset would exclude');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'trades_count'), true, 'gates still see the sessions after a dry run');

-- The reset: sessions completed before now() stop counting.
select is(reset_metrics(false, '"ALL"', 'INSTITUTIONAL_RESET_REQUIRED', 'test') ->> 'dryRun', 'false', 'the reset applies');
select is((select (value #>> '{}')::timestamptz from settings where key = 'metrics_reset_at'), now(), 'metrics_reset_at = now()');
select is((select count(*)::int from activity_events where event_type = 'METRICS_RESET'), 1, 'METRICS_RESET');
select is((select count(*)::int from evaluate_gates(pg_temp.bot('Bot 2')) where actual is not null and metric = 'trades_count'), 0,
          'older sessions no longer feed the gates');
select is((select count(*)::int from backtest_sessions), 5, 'they are kept, not deleted');
select pg_temp.tick();
select is((pg_temp.last()).reasons ->> 'NO_BASELINE', '1', 'the planner queues fresh baselines (one slot)');
select cancel_job(id) from bot_jobs where status = 'QUEUED';
update bot_jobs set finished_at = now() - interval '10 minutes';
create temp table scores_before as select count(*) as n from autonomy_scores;
select supervisor_tick();
select is((select count(*) from autonomy_scores), (select n from scores_before), 'no score from pre-reset sessions');
-- A post-reset session counts for gates and scores.
select pg_temp.session(pg_temp.bot('Bot 2'), jsonb_build_object('completed_at', now(), 'trades_count', 42), true) as s2 \gset
select is((select actual from evaluate_gates(pg_temp.bot('Bot 2')) where metric = 'trades_count'), 42::numeric,
          'a session after the reset feeds the gates');
select supervisor_tick();
select is((select inputs ->> 'session_id' from autonomy_scores where bot_id = pg_temp.bot('Bot 2') order by id desc limit 1),
          :'s2', 'and the score');

-- A scoped reset touches only the listed bots.
update settings set value = 'null' where key = 'metrics_reset_at';
select is(reset_metrics(false, jsonb_build_array(pg_temp.bot('Bot 3')), 'BOT_RESET', 'test') -> 'botIds',
          jsonb_build_array(pg_temp.bot('Bot 3')), 'a scoped reset lists its bots');
select is((select count(*)::int from evaluate_gates(pg_temp.bot('Bot 3')) where actual is not null and metric = 'trades_count'), 0,
          'the listed bot loses its older sessions');
select is((select count(*)::int from evaluate_gates(pg_temp.bot('Bot 4')) where actual is not null and metric = 'trades_count'), 1,
          'another bot keeps them');
select throws_ok($$select reset_metrics(true, '"SOME"', 'X', 'test')$$, '22023', 'INVALID_SCOPE', 'a bad scope is refused');
select throws_ok($$select reset_metrics(true, '["00000000-0000-0000-0000-000000000000"]', 'X', 'test')$$, 'P0002',
                 'BOT_NOT_FOUND', 'an unknown bot is refused');

select * from finish();
rollback;
