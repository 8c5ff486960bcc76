-- Gates and stages: each default LAB → PAPER and PAPER → SHADOW rule just below,
-- at and above its threshold; CANARY and LIVE always blocked
-- (RISK_ENGINE_UNVERIFIED); transition_stage writes bot_stage_events and the feed;
-- RECOMMEND records without changing a stage; kills (drawdown, repeated
-- failures) and claim_jobs refusing KILLED bots; revert skips pinned bots; and
-- the users' bulk revert from PROOFS.md §5, as written.
begin;
select plan(80);

\ir fixtures/autonomy_fleet.sql

-- ---------------------------------------------------------------- the rules
select is((select count(*)::int from gate_rules where from_stage = 'LAB' and to_stage = 'PAPER' and enabled), 7,
          'LAB → PAPER has seven default rules (roster_active the seventh)');
select is((select count(*)::int from gate_rules where from_stage = 'PAPER' and to_stage = 'SHADOW' and enabled), 14,
          'PAPER → SHADOW has those seven plus real data, Sharpe, profit factor and four on paper evidence');
select is((select count(*)::int from evaluate_gates(pg_temp.bot('Bot 1'))), 7, 'a LAB bot is evaluated on 7 rules');
select is((select count(*)::int from evaluate_gates(pg_temp.bot('Bot 1')) where passed), 0,
          'without an effective session every rule fails');
select is((select failures -> 0 ->> 'reason_code' from gate_status where bot_id = pg_temp.bot('Bot 1')),
          'NO_EFFECTIVE_SESSION', 'and gate_status says why');

-- ---------------------------------------------------------------- LAB → PAPER thresholds
select pg_temp.session(pg_temp.bot('Bot 1'));
select is((select bool_and(passed) from evaluate_gates(pg_temp.bot('Bot 1'))), true, 'a good session passes all seven');
select is((select passed_all from gate_status where bot_id = pg_temp.bot('Bot 1')), true, 'gate_status agrees');

select pg_temp.session(pg_temp.bot('Bot 1'), '{"trades_count": 19}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'trades_count'), false, 'trades 19 (just below 20) fails');
select pg_temp.session(pg_temp.bot('Bot 1'), '{"trades_count": 20}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'trades_count'), true, 'trades 20 (at) passes');
select pg_temp.session(pg_temp.bot('Bot 1'), '{"trades_count": 21}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'trades_count'), true, 'trades 21 (above) passes');
select is((select actual from evaluate_gates(pg_temp.bot('Bot 1')) where metric = 'trades_count'), 21::numeric,
          'actual is the session''s trades_count');

select pg_temp.session(pg_temp.bot('Bot 1'), '{"realized_pnl": -1, "profit_factor": 1.04}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'pnl_or_pf'), false, 'loss and profit factor 1.04 (below 1.05) fails');
select pg_temp.session(pg_temp.bot('Bot 1'), '{"realized_pnl": -1, "profit_factor": 1.05}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'pnl_or_pf'), false, 'profit factor 1.05 (at; the rule is >) fails');
select pg_temp.session(pg_temp.bot('Bot 1'), '{"realized_pnl": -1, "profit_factor": 1.0501}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'pnl_or_pf'), true, 'profit factor 1.0501 (above) passes');
select pg_temp.session(pg_temp.bot('Bot 1'), '{"realized_pnl": 0, "profit_factor": 0.9}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'pnl_or_pf'), false, 'realized PnL 0 (at; > 0 needed) with a low PF fails');
select pg_temp.session(pg_temp.bot('Bot 1'), '{"realized_pnl": 0.01, "profit_factor": 0.9}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'pnl_or_pf'), true, 'realized PnL 0.01 passes on its own (the OR)');

select pg_temp.session(pg_temp.bot('Bot 1'), '{"max_drawdown_pct": 25.01}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'max_drawdown_pct'), false, 'drawdown 25.01% (above 25) fails');
select pg_temp.session(pg_temp.bot('Bot 1'), '{"max_drawdown_pct": 25}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'max_drawdown_pct'), true, 'drawdown 25% (at) passes');
select pg_temp.session(pg_temp.bot('Bot 1'), '{"max_drawdown_pct": 24.99}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'max_drawdown_pct'), true, 'drawdown 24.99% (below) passes');

-- The out-of-sample evidence: the expectancy interval above zero, the deflated Sharpe ratio.
select pg_temp.session(pg_temp.bot('Bot 1'), '{"expectancy_ci_low": 0}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'expectancy_ci_low'), false, 'expectancy interval touching 0 (at) fails');
select is((select failures @> '[{"metric": "expectancy_ci_low", "reason_code": "GATE_EXPECTANCY_CI_LOW"}]'
             and failures::text like '%interval crosses zero%' from gate_status where bot_id = pg_temp.bot('Bot 1')),
          true, 'with its reason and the fix "interval crosses zero: more sessions or a different variant"');
select pg_temp.session(pg_temp.bot('Bot 1'), '{"expectancy_ci_low": 0.01}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'expectancy_ci_low'), true, 'expectancy interval above 0 passes');
select pg_temp.session(pg_temp.bot('Bot 1'), '{"deflated_sharpe": 0.8999}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'deflated_sharpe'), false, 'deflated Sharpe 0.8999 (below 0.90) fails');
select pg_temp.session(pg_temp.bot('Bot 1'), '{"deflated_sharpe": 0.90}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'deflated_sharpe'), true, 'deflated Sharpe 0.90 (at) passes');
select pg_temp.session(pg_temp.bot('Bot 1'), '{"deflated_sharpe": null}');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'deflated_sharpe'), false,
          'a session without walk-forward evidence (no deflated Sharpe) fails it');
select pg_temp.session(pg_temp.bot('Bot 1'));

-- No critical error in the last run: the latest finished job.
insert into bot_jobs (bot_id, job_type, status, attempt, started_at, finished_at, created_at, error_code)
values (pg_temp.bot('Bot 1'), 'BACKTEST_REFRESH', 'FAILED', 3, now(), now(), now() - interval '1 second', 'PROVIDER_DOWN');
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'last_run_ok'), false, 'a FAILED latest job fails last_run_ok');
insert into bot_jobs (bot_id, job_type, status, attempt, started_at, finished_at, created_at)
values (pg_temp.bot('Bot 1'), 'BACKTEST_BASELINE', 'COMPLETED', 1, now(), now(), now());
select is(pg_temp.gate(pg_temp.bot('Bot 1'), 'last_run_ok'), true, 'a later COMPLETED job passes it again');

-- ---------------------------------------------------------------- PAPER → SHADOW
update bots set stage = 'PAPER' where id = pg_temp.bot('Bot 2');
select pg_temp.session(pg_temp.bot('Bot 2'), '{"sharpe": 2, "profit_factor": 2}');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'data_is_real'), false, 'synthetic data is not real evidence');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'sharpe'), false, 'a great Sharpe on synthetic data still fails');
select ok((select failures @> '[{"metric": "sharpe", "reason_code": "SYNTHETIC_DATA"}]' from gate_status
            where bot_id = pg_temp.bot('Bot 2')), 'with reason SYNTHETIC_DATA');
select pg_temp.session(pg_temp.bot('Bot 2'), '{"data_source": "databento", "sharpe": 0.5, "profit_factor": 1.2}');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'data_is_real'), true, 'databento data is real');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'sharpe'), false, 'Sharpe 0.5 (at; > needed) fails');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'profit_factor'), false, 'profit factor 1.2 (at) fails');
select pg_temp.session(pg_temp.bot('Bot 2'), '{"data_source": "polygon", "sharpe": 0.49, "profit_factor": 1.19}');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'sharpe'), false, 'Sharpe 0.49 (below) fails');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'profit_factor'), false, 'profit factor 1.19 (below) fails');
select pg_temp.session(pg_temp.bot('Bot 2'), '{"data_source": "databento", "sharpe": 0.51, "profit_factor": 1.21}');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'sharpe'), true, 'Sharpe 0.51 (above) passes');
select is(pg_temp.gate(pg_temp.bot('Bot 2'), 'profit_factor'), true, 'profit factor 1.21 (above) passes');
-- paper evidence (028_paper_evidence holds its rules): 5 days, 10 trades, $20 a trade inside [5, 40]
select pg_temp.paper(pg_temp.bot('Bot 2'), 5, 10, 200);
select is((select passed_all from gate_status where bot_id = pg_temp.bot('Bot 2')), true,
          'the PAPER bot passes every PAPER → SHADOW rule');

-- ---------------------------------------------------------------- transitions
select is(transition_stage(pg_temp.bot('Bot 2'), 'SHADOW', 'GATES_PASSED', 'test'), 'SHADOW',
          'PAPER → SHADOW through transition_stage');
select results_eq($$select from_stage, to_stage, reason_code, actor from bot_stage_events
                     where bot_id = pg_temp.bot('Bot 2')$$,
                  $$values ('PAPER', 'SHADOW', 'GATES_PASSED', 'test')$$, 'writes its bot_stage_events row');
select is((select count(*)::int from activity_events where bot_id = pg_temp.bot('Bot 2') and event_type = 'GRADUATED'),
          1, 'leaving PAPER is GRADUATED');
select is((select stage_reason_code from bots where id = pg_temp.bot('Bot 2')), 'GATES_PASSED', 'and sets the reason');

select is((select bool_or(passed) from evaluate_gates(pg_temp.bot('Bot 2'))), false,
          'SHADOW → CANARY never passes');
select is((select failures -> 0 ->> 'reason_code' from gate_status where bot_id = pg_temp.bot('Bot 2')),
          'RISK_ENGINE_UNVERIFIED', 'because the risk engine is unverified');
select is(transition_stage(pg_temp.bot('Bot 2'), 'CANARY', 'MANUAL', 'test'), 'BLOCKED', 'CANARY is refused');
select is((select stage from bots where id = pg_temp.bot('Bot 2')), 'SHADOW', 'the stage is unchanged');
select is((select payload ->> 'reason_code' from activity_events
            where bot_id = pg_temp.bot('Bot 2') and event_type = 'AUTONOMY_GATE_BLOCKED'),
          'RISK_ENGINE_UNVERIFIED', 'with AUTONOMY_GATE_BLOCKED / RISK_ENGINE_UNVERIFIED');
update bots set stage = 'CANARY' where id = pg_temp.bot('Bot 3');
select is(transition_stage(pg_temp.bot('Bot 3'), 'LIVE', 'MANUAL', 'test'), 'BLOCKED', 'LIVE is refused too');
select is(transition_stage(pg_temp.bot('Bot 2'), 'LAB', 'MANUAL_DEMOTION', 'test'), 'LAB', 'a demotion applies');
select is((select count(*)::int from activity_events where bot_id = pg_temp.bot('Bot 2') and event_type = 'DEMOTED'),
          1, 'as DEMOTED');
select pg_temp.session(pg_temp.bot('Bot 4'), '{"trades_count": 3}');
select is(transition_stage(pg_temp.bot('Bot 4'), 'PAPER', 'MANUAL', 'test'), 'BLOCKED',
          'a promotion failing its gates is refused');
select is((select stage from bots where id = pg_temp.bot('Bot 4')), 'LAB', 'and changes nothing');
select throws_ok($$select transition_stage(pg_temp.bot('Bot 4'), 'MOON', 'X', 'test')$$, '22023', 'INVALID_STAGE',
                 'an unknown stage is invalid');

-- ---------------------------------------------------------------- supervisor: RECOMMEND vs AUTO
-- Bot 1 passes LAB → PAPER (its last session and jobs are good).
update settings set value = '"RECOMMEND"' where key = 'promotion_mode';
select lives_ok($$select supervisor_tick()$$, 'a supervisor cycle in RECOMMEND mode');
select is((select stage from bots where id = pg_temp.bot('Bot 1')), 'LAB', 'RECOMMEND changes no stage');
select is((select count(*)::int from bot_stage_events where bot_id = pg_temp.bot('Bot 1')), 0, 'writes no stage event');
select is((select count(*)::int from activity_events where bot_id = pg_temp.bot('Bot 1')
            and event_type = 'PROMOTION_RECOMMENDED' and payload ->> 'to_stage' = 'PAPER'), 1,
          'but records the recommendation');
select supervisor_tick();
select is((select count(*)::int from activity_events where bot_id = pg_temp.bot('Bot 1')
            and event_type = 'PROMOTION_RECOMMENDED'), 1, 'once, not every cycle');
select is((select count(*)::int from activity_events where bot_id = pg_temp.bot('Bot 4')
            and event_type = 'AUTONOMY_GATE_BLOCKED' and payload ->> 'reason_code' = 'GATES_FAILED'), 2,
          'a failing bot gets AUTONOMY_GATE_BLOCKED (once from transition_stage, once from the first cycle)');
select is((select failed_cycles from bot_gate_streaks where bot_id = pg_temp.bot('Bot 4')), 2,
          'and its failed-cycle streak counts both cycles');
update settings set value = '"AUTO"' where key = 'promotion_mode';
select supervisor_tick();
select is((select stage from bots where id = pg_temp.bot('Bot 1')), 'PAPER', 'AUTO applies the promotion');
select is((select count(*)::int from activity_events where bot_id = pg_temp.bot('Bot 1') and event_type = 'PROMOTED'),
          1, 'as PROMOTED');
select results_eq($$select from_stage, to_stage, reason_code, actor from bot_stage_events where bot_id = pg_temp.bot('Bot 1')$$,
                  $$values ('LAB', 'PAPER', 'GATES_PASSED', 'supervisor')$$, 'with its bot_stage_events row');
select is((select payload ->> 'stage_event_id' from activity_events where bot_id = pg_temp.bot('Bot 1') and event_type = 'PROMOTED'),
          (select id::text from bot_stage_events where bot_id = pg_temp.bot('Bot 1')), 'the feed event names the stage event');

-- ---------------------------------------------------------------- kills
select pg_temp.session(pg_temp.bot('Bot 5'), '{"max_drawdown_pct": 60}');
select enqueue_job(pg_temp.bot('Bot 5'), 'BACKTEST_REFRESH');
select supervisor_tick();
select is((select status from bots where id = pg_temp.bot('Bot 5')), 'KILLED', 'drawdown at kill_drawdown_pct kills');
select is((select payload ->> 'reason_code' from activity_events where bot_id = pg_temp.bot('Bot 5')
            and event_type = 'KILL_TRIGGERED'), 'KILL_DRAWDOWN', 'with KILL_TRIGGERED / KILL_DRAWDOWN');
select is((select status from bot_jobs where bot_id = pg_temp.bot('Bot 5') and job_type = 'BACKTEST_REFRESH'),
          'CANCELLED', 'its queued job is cancelled');
select throws_ok($$select * from enqueue_job(pg_temp.bot('Bot 5'), 'BACKTEST_REFRESH')$$, 'P0001', 'BOT_KILLED',
                 'and it takes no new job');

insert into bot_jobs (bot_id, job_type, status, attempt, max_attempts, started_at, finished_at, created_at, error_code)
select pg_temp.bot('Bot 3'), 'BACKTEST_REFRESH', 'FAILED', 1, 1, now(), now(), now() - g * interval '1 minute', 'BOOM'
  from generate_series(1, 5) g;
select supervisor_tick();
select is((select payload ->> 'reason_code' from activity_events where bot_id = pg_temp.bot('Bot 3')
            and event_type = 'KILL_TRIGGERED'), 'KILL_REPEATED_FAILURES', 'five failed backtests in a row kill');

-- claim_jobs skips a KILLED bot even if a job was left queued (a DBA's direct UPDATE).
update bots set status = 'ACTIVE' where id = pg_temp.bot('Bot 4');
select enqueue_job(pg_temp.bot('Bot 4'), 'BACKTEST_BASELINE');
update bots set status = 'KILLED' where id = pg_temp.bot('Bot 4');
select is((select count(*)::int from claim_jobs('w-kill', '{BACKTEST_BASELINE}', 10)), 0,
          'claim_jobs does not claim for a KILLED bot');

-- ---------------------------------------------------------------- revert to LAB
update bots set status = 'ACTIVE';
update bots set stage = 'PAPER' where name in ('Bot 1', 'Bot 2');
update bots set stage = 'SHADOW', pinned = true where name = 'Bot 3';
update bots set stage = 'CANARY' where name = 'Bot 4';
-- Bot 4 still has the BACKTEST_BASELINE queued above, so two new baselines are queued (Bots 1 and 2).
select is(revert_stages_to_lab('admin') - 'botIds',
          '{"reverted": 3, "skippedPinned": 1, "reasonCode": "BULK_REVERT_REBASELINE", "baselinesQueued": 2}'::jsonb,
          'revert moves the three unpinned bots, skips the pinned one and queues the missing baselines');
select is((select count(*)::int from bots b where b.name in ('Bot 1', 'Bot 2', 'Bot 4')
             and exists (select 1 from bot_jobs j where j.bot_id = b.id and j.job_type = 'BACKTEST_BASELINE'
                           and j.status = 'QUEUED')), 3,
          'every reverted bot has a BACKTEST_BASELINE queued');
select is((select count(*)::int from bots where name in ('Bot 1', 'Bot 2', 'Bot 4') and metrics_reset_at = now()), 3,
          'and its evidence reset (bots.metrics_reset_at = now())');
select is((select count(*)::int from bot_jobs j join bots b on b.id = j.bot_id
            where b.name = 'Bot 3' and j.status = 'QUEUED'), 0, 'the pinned bot gets no baseline');
select is((select stage from bots where name = 'Bot 3'), 'SHADOW', 'the pinned bot keeps its stage');
select is((select count(*)::int from bot_stage_events where reason_code = 'BULK_REVERT_REBASELINE' and to_stage = 'LAB'
            and actor = 'admin'), 3, 'one stage event per reverted bot');
select is((select count(*)::int from activity_events where event_type = 'STAGES_REVERTED'), 1, 'one STAGES_REVERTED');

-- The users' own bulk revert (PROOFS.md §5), statement for statement (BEGIN/COMMIT
-- omitted: this test is already a transaction; 009 runs it whole via dblink).
update bots set stage = 'LIVE' where name = 'Bot 5';
select lives_ok($$INSERT INTO bot_stage_events (id, bot_id, from_stage, to_stage, reason_code, actor, created_at)
SELECT gen_random_uuid(), id, stage, 'LAB', 'BULK_REVERT_REBASELINE', 'system', now()
FROM bots
WHERE stage IN ('PAPER','SHADOW','CANARY','LIVE');$$, 'PROOFS §5 insert runs as written');
select lives_ok($$UPDATE bots
SET stage = 'LAB',
    stage_updated_at = now(),
    stage_reason_code = 'BULK_REVERT_REBASELINE'
WHERE stage IN ('PAPER','SHADOW','CANARY','LIVE');$$, 'PROOFS §5 update runs as written');
select results_eq($$SELECT to_stage, reason_code, COUNT(*) FROM bot_stage_events WHERE reason_code='BULK_REVERT_REBASELINE' GROUP BY 1,2$$,
                  $$values ('LAB'::text, 'BULK_REVERT_REBASELINE'::text, 5::bigint)$$,
                  'and the audit query counts both reverts');

select * from finish();
rollback;
