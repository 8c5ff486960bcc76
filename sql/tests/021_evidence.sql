-- Walk-forward evidence in SQL: record_backtest stores the intervals, deflated
-- Sharpe, trials and folds; bot_evidence and the API show them with the
-- evidence label (thresholds in settings); lineage_trials counts the
-- configurations of a lineage; claim_jobs hands the executors the walk-forward
-- settings and the trials; baseline_trading_days defaults to 120.
begin;
select plan(21);

\ir fixtures/autonomy_fleet.sql

-- ---------------------------------------------------------------- settings
select is((select default_value from settings where key = 'baseline_trading_days'), '120'::jsonb,
          'a baseline covers 120 sessions by default');
select results_eq($$select setting('walk_forward_folds')::int, setting('walk_forward_mode') #>> '{}',
                           setting('bootstrap_resamples')::int, setting('bootstrap_block_sessions')::int$$,
                  $$values (4, 'anchored', 2000, 5)$$, 'walk-forward defaults: 4 anchored folds, 2000 resamples, weekly blocks');
select throws_ok($$select set_setting('bootstrap_resamples', '500')$$, '22023', null,
                 'fewer than 1000 resamples are refused');
select throws_ok($$select set_setting('walk_forward_mode', '"expanding"')$$, '22023', null,
                 'an unknown fold mode is refused');

-- ---------------------------------------------------------------- the label
select is(evidence_label(30, 5, 0.96), 'strong', 'DSR ≥ 0.95 with the interval above zero: strong');
select is(evidence_label(30, -1, 0.96), 'moderate', 'the same DSR with the interval crossing zero: moderate');
select is(evidence_label(30, 5, 0.74), 'weak', 'DSR below 0.75: weak');
select is(evidence_label(19, 5, 0.99), 'insufficient', 'fewer than 20 out-of-sample trades: insufficient');
select is(evidence_label(30, null, null), 'insufficient', 'no walk-forward evidence: insufficient');
update settings set value = '10' where key = 'evidence_min_trades';
select is(evidence_label(19, 5, 0.99), 'strong', 'the thresholds are settings');
update settings set value = '20' where key = 'evidence_min_trades';

-- ---------------------------------------------------------------- recorded and shown
select enqueue_job(pg_temp.bot('Bot 1'), 'BACKTEST_BASELINE');
create temp table claimed as select * from claim_jobs('w1', array['BACKTEST_BASELINE'], 1);
select is(complete_leased_job((select job_id from claimed), 'w1', 1, jsonb_build_object(
    'session', jsonb_build_object('window_from', '2026-05-01T00:00:00Z', 'window_to', '2026-11-01T00:00:00Z',
        'bars_tested', 160000, 'sessions_tested', 120, 'oos_from', '2026-06-05', 'oos_to', '2026-11-01',
        'data_source', 'synthetic', 'data_fingerprint', 'fp', 'trades_count', 40, 'realized_pnl', 900, 'sharpe', 1.1,
        'max_drawdown_usd', 700, 'max_drawdown_pct', 1.4, 'profit_factor', 1.3, 'win_rate', 0.5, 'expectancy', 22.5,
        'sharpe_ci_low', -0.4, 'sharpe_ci_high', 2.6, 'expectancy_ci_low', -3.5, 'expectancy_ci_high', 48.0,
        'profit_factor_ci_low', 0.9, 'profit_factor_ci_high', 1.9, 'deflated_sharpe', 0.81, 'trials', 3,
        'folds', '[{"fold": 1}, {"fold": 2}, {"fold": 3}, {"fold": 4}]'::jsonb,
        'walk_forward', '{"spec": {"folds": 4}}'::jsonb, 'params_hash', 'h', 'iteration', 0),
    'trades', '[]'::jsonb)) ? 'session_id', true, 'a walk-forward result records');
select results_eq($$select sessions_tested, oos_from::text, expectancy_ci_low, deflated_sharpe, trials, jsonb_array_length(folds)
                      from backtest_sessions where job_id = (select job_id from claimed)$$,
                  $$values (120, '2026-06-05', -3.5::float8, 0.81::float8, 3, 4)$$, 'with its evidence columns');
select results_eq($$select evidence, deflated_sharpe, expectancy_ci_low from bot_evidence where bot_id = pg_temp.bot('Bot 1')$$,
                  $$values ('moderate', 0.81::float8, -3.5::float8)$$, 'bot_evidence shows it with its label');
select is((select (api_backtest(s.id) -> 'intervals' -> 'expectancy' ->> 'ciLow')::float8 from backtest_sessions s
            where s.job_id = (select job_id from claimed)), -3.5::float8, 'GET /api/backtests/:id has the intervals');
select is((select jsonb_array_length(api_backtest(s.id) -> 'folds') from backtest_sessions s
            where s.job_id = (select job_id from claimed)), 4, 'and the folds');
select is((select gates -> 0 ->> 'passed' from (select jsonb_agg(jsonb_build_object('passed', passed)) as gates
             from evaluate_gates(pg_temp.bot('Bot 1')) where metric = 'expectancy_ci_low') g), 'false',
          'the gate reads the interval: it crosses zero');

-- ---------------------------------------------------------------- trials
insert into bots (id, name, archetype_slug, instrument, timeframe, params, params_hash, generation, parent_bot_id,
                  root_bot_id, origin)
select '00000000-0000-0000-0000-0000000000c1', 'Child', b.archetype_slug, b.instrument, b.timeframe, b.params, 'child-h',
       2, b.id, b.id, 'EVOLVED' from bots b where b.id = pg_temp.bot('Bot 1');
select is(lineage_trials('00000000-0000-0000-0000-0000000000c1'), 2,
          'a new child: its own params and its parent''s tested ones');
select pg_temp.session(pg_temp.bot('Bot 1'), '{}', true);
update backtest_sessions set params_hash = 'improve-candidate' where id = (
    select id from backtest_sessions where bot_id = pg_temp.bot('Bot 1') order by completed_at desc limit 1);
select is(lineage_trials('00000000-0000-0000-0000-0000000000c1'), 3, 'a parent''s IMPROVE candidate is one more trial');
select is(lineage_trials(pg_temp.bot('Bot 1')), 3, 'the parent counts its lineage''s every configuration, children included');
select is(lineage_trials(gen_random_uuid()), 0, 'an unknown bot has none');

update bots set iteration = 0;
select enqueue_job('00000000-0000-0000-0000-0000000000c1', 'BACKTEST_BASELINE');
select results_eq($$select walk_forward_folds, walk_forward_mode, bootstrap_resamples, bootstrap_block_sessions, lineage_trials
                      from claim_jobs('w2', array['BACKTEST_BASELINE'], 1)$$,
                  $$values (4, 'anchored', 2000, 5, 3)$$, 'claim_jobs hands the executor the spec and the lineage''s trials');

select * from finish();
rollback;
