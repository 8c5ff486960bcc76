-- Parameter-grid research in SQL: the scoring model and every penalty tag on
-- hand-made rows, qualified at 9/10/11 trades, and a run's life through the queue —
-- start (RUN_IN_PROGRESS refusal), GRID plan → one RESEARCH_CELL job per cell,
-- cells recorded (a failed one too) → finish_research_run's selection; a run whose
-- cells all failed, and one whose GRID failed, end in ERROR.
begin;
select plan(33);

truncate bot_jobs, job_run_events, activity_events, research_runs, bots, archetypes, instruments cascade;
select seed_starter_pack(
    '[{"symbol":"ES","name":"E-mini S&P 500","tick_size":0.25,"multiplier":50,"currency":"USD","commission_per_side":2.25,"exchange":"CME","kind":"future"}]',
    '[{"slug":"a","name":"Gridded","family":"opening_range","instrument":"ES","timeframe":"5m","default_params":{"k":2},"param_bounds":{},"params_hash":"h"}]',
    false);
update settings set value = '50000' where key = 'simulated_equity';

-- A hand-made row: defaults are a healthy real-data row; p_over overrides columns.
create function pg_temp.row(p_over jsonb default '{}') returns research_rows language sql as $$
    select jsonb_populate_record(null::research_rows, jsonb_build_object(
        'id', 1, 'run_id', gen_random_uuid(), 'cell', 0, 'status', 'COMPLETED', 'archetype_slug', 'a',
        'instrument', 'ES', 'timeframe', '5m', 'params', '{}'::jsonb, 'params_hash', 'h', 'grid_edge', false,
        'data_source', 'file', 'real_share', 1, 'sessions_tested', 120, 'trades', 50, 'net_pnl', 2500,
        'return_pct', 5, 'sharpe', 1, 'in_sample_sharpe', 1.2, 'profit_factor', 1.25, 'win_rate', 0.5,
        'max_drawdown_usd', 1000, 'max_drawdown_pct', 2, 'expectancy', 50, 'deflated_sharpe', 0.5,
        'qualified', true, 'insufficient_data', false, 'penalty_tags', '{}'::text[]) || p_over) $$;

-- ---------------------------------------------------------------- the scoring model
-- 25·0.5 + 10·0.5 + 10·0.5 + 15·0.5 + 10·ln(51)/ln(101) + 20·0.5 − 15·0.1 − 15·0
select is(research_score(pg_temp.row()), round((12.5 + 5 + 5 + 7.5 + 10 * ln(51) / ln(101) + 10 - 1.5)::numeric, 2),
          'the documented formula, term by term (42.02)');
select is(research_score(pg_temp.row('{"real_share": 0}')), research_score(pg_temp.row()) - 15,
          'a synthetic-only row loses 15');
select is(research_score(pg_temp.row('{"sharpe": 50, "return_pct": 500, "net_pnl": 1e9, "profit_factor": 99}')),
          round((25 + 10 + 10 + 15 + 10 * ln(51) / ln(101) + 10 - 1.5)::numeric, 2), 'every term saturates');
select ok(research_score(pg_temp.row('{"sharpe": -1, "net_pnl": -2500, "return_pct": -5, "profit_factor": 0.6}'))
          < research_score(pg_temp.row()), 'losing rows score lower');
select is(research_score(pg_temp.row('{"status": "FAILED", "error_code": "X"}')), null, 'a failed row has no score');

-- ---------------------------------------------------------------- penalty tags, one by one
select is(research_penalty_tags(pg_temp.row()), '{}'::text[], 'a healthy real-data row carries no tag');
select is(research_penalty_tags(pg_temp.row('{"net_pnl": -1}')), '{negative_pnl,drawdown_exceeds_gain}',
          'negative_pnl (a loss is also a drawdown beyond the gain)');
select is(research_penalty_tags(pg_temp.row('{"profit_factor": 0.99}')), '{profit_factor_below_one}', 'profit_factor_below_one');
select is(research_penalty_tags(pg_temp.row('{"sharpe": -0.1, "in_sample_sharpe": -0.1}')), '{sharpe_below_zero}', 'sharpe_below_zero');
select is(research_penalty_tags(pg_temp.row('{"max_drawdown_usd": 3000}')), '{drawdown_exceeds_gain}', 'drawdown_exceeds_gain');
select is(research_penalty_tags(pg_temp.row('{"trades": 9}')), '{insufficient_trades}', 'insufficient_trades');
select is(research_penalty_tags(pg_temp.row('{"real_share": 0.5}')), '{synthetic_data}', 'synthetic_data');
select is(research_penalty_tags(pg_temp.row('{"in_sample_sharpe": 2.01}')), '{oos_decay}', 'oos_decay (IS − OOS > 1.0)');
select is(research_penalty_tags(pg_temp.row('{"in_sample_sharpe": 2.0}')), '{}'::text[], 'not at exactly 1.0');
select is(research_penalty_tags(pg_temp.row('{"grid_edge": true}')), '{edge_of_grid}', 'edge_of_grid');
select is(research_penalty_tags(pg_temp.row('{"sessions_tested": 59}')), '{few_sessions}', 'few_sessions');

-- ---------------------------------------------------------------- qualified at 9 / 10 / 11
select is(research_qualified(9), false, '9 trades: insufficient');
select is(research_qualified(10), true, '10 trades: qualified');
select is(research_qualified(11), true, '11 trades: qualified');

-- ---------------------------------------------------------------- a run through the queue
create temp table run as select start_research_run('MANUAL', array['a'], null, '2026-06-01', '2026-11-28') as id;
select results_eq($$select state, iso_week, trigger from research_runs where id = (select id from run)$$,
                  $$values ('QUEUED', '2026-W48', 'MANUAL')$$, 'a QUEUED run, named by the ISO week of its window''s end');
select throws_ok($$select start_research_run('MANUAL', null, null, '2026-06-01', '2026-11-28')$$,
                 'P0001', 'RUN_IN_PROGRESS', 'a second run while one is active is refused');
select throws_ok($$select start_research_run('MANUAL', array['no-such'], null, '2026-06-01', '2026-11-28')$$,
                 '22023', 'UNKNOWN_ARCHETYPE', 'an unknown archetype is refused');

create temp table grid as select job_id from claim_jobs('w1', array['GRID'], 1);
select is((select payload ->> 'run_id' from bot_jobs where id = (select job_id from grid)), (select id::text from run),
          'the GRID job carries the run');
select lives_ok(format($$select complete_leased_job(%L, 'w1', 1, '{"cells": [
    {"archetype": "a", "instrument": "ES", "timeframe": "5m", "params": {"k": 1}, "params_hash": "h1", "grid_edge": true},
    {"archetype": "a", "instrument": "ES", "timeframe": "5m", "params": {"k": 2}, "params_hash": "h2", "grid_edge": false},
    {"archetype": "a", "instrument": "ES", "timeframe": "5m", "params": {"k": 3}, "params_hash": "h3", "grid_edge": false}]}')$$,
    (select job_id from grid)), 'the GRID plan is recorded');
select results_eq($$select state, progress_done, progress_total from research_runs where id = (select id from run)$$,
                  $$values ('RUNNING', 0, 3)$$, 'the run is RUNNING at 0/3');
select is((select count(*)::int from bot_jobs where job_type = 'RESEARCH_CELL' and status = 'QUEUED'), 3,
          'one RESEARCH_CELL job per cell');

-- Cell 0 completes (qualified), cell 1 completes with 9 trades, cell 2 fails for good.
create function pg_temp.cell(p_n int) returns uuid language sql as $$
    select id from bot_jobs where job_type = 'RESEARCH_CELL' and (payload ->> 'cell')::int = p_n $$;
select claim_jobs('w1', array['RESEARCH_CELL'], 3);
select complete_leased_job(pg_temp.cell(0), 'w1', 1, '{"metrics": {"trades": 40, "net_pnl": 900, "return_pct": 1.8,
    "sharpe": 0.8, "profit_factor": 1.3, "max_drawdown_usd": 400, "max_drawdown_pct": 0.8,
    "data_source": "synthetic", "sessions_tested": 120, "deflated_sharpe": 0.4}}');
select complete_leased_job(pg_temp.cell(1), 'w1', 1, '{"metrics": {"trades": 9, "net_pnl": 5000, "sharpe": 3,
    "profit_factor": 4, "data_source": "synthetic", "sessions_tested": 120, "deflated_sharpe": 0.9}}');
select is((select progress_done from research_runs where id = (select id from run)), 2, 'progress counts recorded cells');
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, '{"metrics": {"trades": 1}}')$$, pg_temp.cell(2)),
                 '22023', 'INVALID_RESULT', 'a result without net_pnl is refused');
update bot_jobs set max_attempts = 1 where id = pg_temp.cell(2);
select fail_job(pg_temp.cell(2), 'w1', 1, 'NO_DATA', 'no bars for the window', null, false);
select results_eq($$select state, progress_done, selection #>> '{instruments,ES,cell}', selection ->> 'failed_cells'
                      from research_runs where id = (select id from run)$$,
                  $$values ('COMPLETED', 3, '0', '1')$$,
                  'the last cell (a failure) completes the run; ES shows the best qualified cell, not the 9-trade one');
select is((select selection #>> '{best_any,cell}' from research_runs where id = (select id from run)), '1',
          'the best of all rows is kept for research');
select results_eq($$select cell, status, qualified, insufficient_data, error_code, penalty_tags from research_rows
                     where run_id = (select id from run) order by cell$$,
                  $$values (0, 'COMPLETED', true, false, null::text, '{synthetic_data,edge_of_grid}'::text[]),
                           (1, 'COMPLETED', false, true, null, '{insufficient_trades,synthetic_data}'),
                           (2, 'FAILED', false, true, 'NO_DATA', '{}')$$,
                  'every cell recorded once: scored, tagged, qualified or not, the failure with its error');

-- A run whose GRID cannot be planned ends in ERROR with the planner's message.
create temp table run2 as select start_research_run('MANUAL', null, null, '2026-06-01', '2026-11-28') as id;
update bot_jobs set max_attempts = 1 where job_type = 'GRID' and status = 'QUEUED';
select claim_jobs('w1', array['GRID'], 1);
select fail_job((select id from bot_jobs where job_type = 'GRID' and status = 'RUNNING'), 'w1', 1, 'PLAN_FAILED',
                'forced planner failure', null, false);
select results_eq($$select state, message from research_runs where id = (select id from run2)$$,
                  $$values ('ERROR', 'PLAN_FAILED: forced planner failure')$$, 'a failed GRID ends its run in ERROR');
select isnt((select id from research_runs where state = 'COMPLETED'), null, 'the previous run stays COMPLETED');

select * from finish();
rollback;
