-- Evolution and improvement completions through complete_leased_job, which
-- dispatches by kind: record_evolution creates the Gen+1 candidate and queues its
-- baseline on the parent's window in one transaction (the verdict is
-- 022_evolution_selection's); record_improvement
-- records the candidate's session as iteration + 1 and changes the bot only when
-- adopted. Refusals (lost lease, population cap, a missing setting, parent no
-- longer active, bad input for the job's kind) write nothing. record_backtest is
-- covered by 003.
begin;
select plan(60);

truncate bot_jobs, job_run_events, backtest_sessions, trade_logs, activity_events, integration_usage_events,
         worker_heartbeats, bots, archetypes, instruments cascade;
update settings set value = '60' where key = 'population_cap';

select seed_starter_pack(
    '[{"symbol":"MNQ","name":"Micro E-mini Nasdaq-100","tick_size":0.25,"multiplier":2,"currency":"USD","commission_per_side":0.57,"exchange":"CME","kind":"future"},
      {"symbol":"MES","name":"Micro E-mini S&P 500","tick_size":0.25,"multiplier":5,"currency":"USD","commission_per_side":0.57,"exchange":"CME","kind":"future"}]',
    '[{"slug":"e1","name":"Evolver","family":"opening_range","instrument":"MNQ","timeframe":"5m","default_params":{"n":1},"param_bounds":{},"params_hash":"h1"},
      {"slug":"e2","name":"Improver","family":"mean_reversion","instrument":"MES","timeframe":"5m","default_params":{"n":2},"param_bounds":{},"params_hash":"h2"},
      {"slug":"e3","name":"Bystander","family":"gap","instrument":"MES","timeframe":"5m","default_params":{"n":3},"param_bounds":{},"params_hash":"h3"}]',
    false);

create function pg_temp.bot(p_name text) returns uuid language sql as $$ select id from bots where name = p_name $$;
-- Enqueues and claims one job of p_type for the bot as worker w1; returns its id.
create function pg_temp.running(p_bot uuid, p_type text) returns uuid language plpgsql as $$
declare v_job uuid;
begin
    select job_id into v_job from enqueue_job(p_bot, p_type);
    perform claim_jobs('w1', array[p_type], 1);
    return v_job;
end $$;
create function pg_temp.evolution(p_hash text) returns jsonb language sql as $$
    select jsonb_build_object('params', '{"n": 7}'::jsonb, 'params_hash', p_hash,
                              'mutation', '{"n": {"from": 1, "to": 7}}'::jsonb, 'seed', 'abc123', 'generation', 2) $$;
create function pg_temp.improvement(p_adopted boolean, p_hash text) returns jsonb language sql as $$
    select jsonb_build_object(
        'adopted', p_adopted, 'params', '{"n": 22}'::jsonb, 'params_hash', p_hash, 'iteration', 1,
        'in_sample', '{"current": {"net_pnl": 10, "sharpe": 0.5}, "candidate": {"net_pnl": 20, "sharpe": 0.7}}'::jsonb,
        'out_of_sample', '{"current": {"net_pnl": 5, "sharpe": 0.2}, "candidate": {"net_pnl": 9, "sharpe": 0.4}}'::jsonb,
        'mutation', '{"n": {"from": 2, "to": 22}}'::jsonb,
        'session', jsonb_build_object('window_from', '2026-10-01T00:00:00Z', 'window_to', '2026-10-29T00:00:00Z',
            'bars_tested', 1560, 'data_source', 'synthetic', 'data_fingerprint', 'fp', 'trades_count', 2,
            'realized_pnl', 9, 'sharpe', 0.4, 'sortino', 0.5, 'max_drawdown_usd', 30, 'max_drawdown_pct', 0.06,
            'profit_factor', 1.3, 'win_rate', 0.5, 'expectancy', 4.5, 'sqn', 0.3, 'metrics', '{}'::jsonb,
            'equity_curve', '[]'::jsonb, 'engine_version', 'test', 'params', '{"n": 999}'::jsonb,
            'params_hash', 'ignored', 'iteration', 42),
        'trades', (select jsonb_agg(jsonb_build_object('seq', g, 'side', 'SHORT', 'contracts', 1,
            'entry_time', '2026-10-02T14:30:00Z', 'entry_price', 5000.25, 'exit_time', '2026-10-02T14:45:00Z',
            'exit_price', 4999.5, 'exit_reason', 'TARGET', 'entry_reason', 'breakout: close 20001.00 > range high 20000.75', 'pnl', 4.5, 'costs', 1.14)) from generate_series(1, 2) g)) $$;
create temp view counts as
    select (select count(*) from bots) as bots, (select count(*) from bots where status = 'ACTIVE') as active,
           (select count(*) from bot_jobs) as jobs, (select count(*) from bot_jobs where status = 'RUNNING') as running,
           (select count(*) from job_run_events) as events, (select count(*) from activity_events) as feed,
           (select count(*) from backtest_sessions) as sessions, (select count(*) from trade_logs) as trades,
           (select string_agg(id || params_hash || iteration || status, ',' order by id) from bots) as bot_rows;
create temp table before (like counts);
create function pg_temp.snapshot() returns void language sql as $$
    delete from before; insert into before select * from counts $$;
create function pg_temp.unchanged() returns boolean language sql as $$
    select (select row(c.*)::text from counts c) = (select row(b.*)::text from before b) $$;

-- Evidence to compare children with: one completed walk-forward session per bot.
create function pg_temp.evidence(p_bot uuid, p_dsr float8) returns uuid language sql as $$
    insert into backtest_sessions (bot_id, status, instrument, tick_size, contract_multiplier, timeframe, window_from,
        window_to, bars_tested, data_source, params_hash, trades_count, realized_pnl, sharpe, expectancy,
        expectancy_ci_low, expectancy_ci_high, deflated_sharpe, trials, started_at, completed_at, trace_id)
    select b.id, 'COMPLETED', b.instrument, 0.25, 2, '5m', '2026-06-01T22:00:00Z', '2026-11-20T22:00:00Z', 30000,
           'synthetic', b.params_hash, 40, 100, 0.5, 2.5, -1, 6, p_dsr, 1, now() - interval '2 minutes',
           now() - interval '1 minute', gen_random_uuid()
      from bots b where b.id = p_bot
    returning id $$;
select pg_temp.evidence(pg_temp.bot('Evolver'), 0.40);

-- ---------------------------------------------------------------- evolve: refusals write nothing
select pg_temp.running(pg_temp.bot('Evolver'), 'BACKTEST_REFRESH');
select enqueue_job(pg_temp.bot('Evolver'), 'IMPROVE');  -- queued, not claimed: cancelled when the parent is superseded
create temp table evolve_job as select pg_temp.running(pg_temp.bot('Evolver'), 'EVOLVE') as id;
select is((select status from bot_jobs where id = (select id from evolve_job)), 'RUNNING', 'the EVOLVE job is claimed');
select pg_temp.snapshot();

select throws_ok(format($$select complete_leased_job(%L, 'w-other', 1, pg_temp.evolution('h1-gen2'))$$, (select id from evolve_job)),
                 'P0001', 'LEASE_LOST', 'another worker cannot complete it');
select throws_ok(format($$select complete_leased_job(%L, 'w1', 2, pg_temp.evolution('h1-gen2'))$$, (select id from evolve_job)),
                 'P0001', 'LEASE_LOST', 'nor a stale attempt');
select ok(pg_temp.unchanged(), 'a lost lease writes nothing');

update settings set value = to_jsonb((select count(*) from bots where status = 'ACTIVE')) where key = 'population_cap';
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, pg_temp.evolution('h1-gen2'))$$, (select id from evolve_job)),
                 'P0001', 'POPULATION_CAP', 'at the population cap the evolution is refused');
select ok(pg_temp.unchanged(), 'the cap refusal writes nothing: no child, parent ACTIVE, job still RUNNING');
-- A missing setting is an error, never a silent default (setting() has no fallback).
delete from settings where key = 'population_cap';
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, pg_temp.evolution('h1-gen2'))$$, (select id from evolve_job)),
                 'P0002', 'SETTING_NOT_FOUND', 'without a population_cap row the evolution is refused, not defaulted');
select ok(pg_temp.unchanged(), 'and writes nothing');
insert into settings (key, value, description, kind, default_value, min_value, max_value)
values ('population_cap', '60', 'ACTIVE bots at most', 'integer', '60', 1, 1000000);

select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, '{"params": [], "params_hash": "x"}')$$, (select id from evolve_job)),
                 '22023', 'INVALID_RESULT', 'params must be an object');
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, '{"params": {}}')$$, (select id from evolve_job)),
                 '22023', 'INVALID_RESULT', 'params_hash is required');
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1)$$, (select id from evolve_job)),
                 '22023', 'INVALID_RESULT', 'an empty result for an EVOLVE job is refused by its recorder');
-- Dispatch is by the job's kind, not by the shape of the result: an evolution
-- result sent for the RUNNING backtest goes to record_backtest, which needs a session.
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, pg_temp.evolution('x'))$$,
                        (select id from bot_jobs where job_type = 'BACKTEST_REFRESH')),
                 '22023', 'INVALID_RESULT', 'an evolution result for a backtest job is refused by the backtest recorder');
select ok(pg_temp.unchanged(), 'bad input writes nothing');

-- ---------------------------------------------------------------- evolve: the happy path
create temp table child_doc as
    select complete_leased_job((select id from evolve_job), 'w1', 1, pg_temp.evolution('h1-gen2')) as doc;
create temp table child as select (doc ->> 'new_bot_id')::uuid as id from child_doc;
select isnt((select id from child), null, 'complete_leased_job returns the new bot');
select is((select doc from child_doc), jsonb_build_object('new_bot_id', (select id from child), 'generation', 2),
          'the recorder''s document: {new_bot_id, generation}');
select results_eq(
    $$select name, generation, parent_bot_id, root_bot_id, origin, iteration, stage, status, params, params_hash,
             archetype_slug, instrument, timeframe from bots where id = (select id from child)$$,
    $$select 'Evolver Gen 2', 2, pg_temp.bot('Evolver'), pg_temp.bot('Evolver'), 'EVOLVED', 0, 'LAB', 'CANDIDATE',
             '{"n": 7}'::jsonb, 'h1-gen2', 'e1', 'MNQ', '5m'$$,
    'the child: a Gen 2 CANDIDATE of the parent''s archetype and lineage, EVOLVED, iteration 0, in LAB with the new params');
select is((select status from bots where id = pg_temp.bot('Evolver')), 'ACTIVE', 'the parent stays ACTIVE until the verdict');
select is((select status from bot_jobs where id = (select id from evolve_job)), 'COMPLETED', 'the EVOLVE job is COMPLETED');
select results_eq(
    $$select from_status, to_status, reason_code, worker_id, details from job_run_events
       where job_id = (select id from evolve_job) order by id desc limit 1$$,
    $$select 'RUNNING', 'COMPLETED', 'CANDIDATE_CREATED', 'w1',
             jsonb_build_object('new_bot_id', (select id from child), 'generation', 2)$$,
    'its job_run_events row');
select results_eq(
    $$select job_type, status, payload from bot_jobs where bot_id = (select id from child)$$,
    $$select 'BACKTEST_BASELINE', 'QUEUED',
             jsonb_build_object('from', '2026-06-01T22:00:00Z', 'to', '2026-11-20T22:00:00Z',
                                'paired_session_id', (select id from backtest_sessions where bot_id = pg_temp.bot('Evolver')))$$,
    'the child''s baseline is queued at once, on the parent''s evidence window');
select is((select reason_code from job_run_events where job_id = (select id from bot_jobs where bot_id = (select id from child))),
          'EVOLVED', 'queued with reason EVOLVED');
select results_eq(
    $$select parent_bot_id, root_bot_id, evolve_job_id, parent_session_id, step_scale, decision from evolution_selections
       where candidate_bot_id = (select id from child)$$,
    $$select pg_temp.bot('Evolver'), pg_temp.bot('Evolver'), (select id from evolve_job),
             (select id from backtest_sessions where bot_id = pg_temp.bot('Evolver')), 1::float8, null::text$$,
    'a pending evolution_selections row: the parent session it will be compared with');
select results_eq(
    $$select bot_id, job_id, payload from activity_events where event_type = 'EVOLVED_GENERATION_CREATED'$$,
    $$select pg_temp.bot('Evolver'), (select id from evolve_job),
             jsonb_build_object('parent_bot_id', pg_temp.bot('Evolver'), 'new_bot_id', (select id from child),
                                'generation', 2, 'mutation', '{"n": {"from": 1, "to": 7}}'::jsonb,
                                'params_hash', 'h1-gen2', 'seed', 'abc123', 'step_scale', 1,
                                'parent_session_id', (select id from backtest_sessions where bot_id = pg_temp.bot('Evolver')))$$,
    'EVOLVED_GENERATION_CREATED {parent_bot_id, new_bot_id, generation, mutation, …}');
select results_eq(
    $$select job_type, status from bot_jobs where bot_id = pg_temp.bot('Evolver') order by job_type$$,
    $$values ('BACKTEST_REFRESH', 'RUNNING'), ('EVOLVE', 'COMPLETED'), ('IMPROVE', 'QUEUED')$$,
    'the parent''s jobs go on');
select is((select count(*)::int from bots where status = 'ACTIVE'), 3, 'the candidate is not part of the fleet');

-- The child's baseline beats the parent: accepted, the parent SUPERSEDED and its queued jobs cancelled.
select is(select_evolution((select id from child), pg_temp.evidence((select id from child), 0.60)) ->> 'decision', 'ACCEPTED',
          'a child whose DSR beats the parent''s by the margin is accepted');
select is((select status from bots where id = pg_temp.bot('Evolver')), 'SUPERSEDED', 'the parent is SUPERSEDED');
select is((select params_hash from bots where id = pg_temp.bot('Evolver')), 'h1', 'and otherwise kept as it was');
select is((select reason_code from job_run_events j join bot_jobs b on b.id = j.job_id
            where b.bot_id = pg_temp.bot('Evolver') and b.job_type = 'IMPROVE' and j.to_status = 'CANCELLED'),
          'PARENT_SUPERSEDED', 'its queued IMPROVE is cancelled with reason PARENT_SUPERSEDED');
select is((select count(*)::int from bots where status = 'ACTIVE'), 3, 'the population is unchanged: one in, one out');

-- A generation of a generation is named after the archetype, not the parent.
create temp table gen3_job as select pg_temp.running((select id from child), 'EVOLVE') as id;
create temp table gen3 as
    select (complete_leased_job((select id from gen3_job), 'w1', 1, pg_temp.evolution('h1-gen3')) ->> 'new_bot_id')::uuid as id;
select is((select name from bots where id = (select id from gen3)), 'Evolver Gen 3', 'Gen 3 is "<archetype name> Gen 3"');
select is((select generation from bots where name = 'Evolver Gen 3'), 3, 'generation 3');
select is((select parent_bot_id from bots where name = 'Evolver Gen 3'), (select id from child), 'child of Gen 2');

-- The superseded parent cannot evolve again.
create temp table stale_job as select pg_temp.running(pg_temp.bot('Evolver'), 'EVOLVE') as id;
select pg_temp.snapshot();
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, pg_temp.evolution('h1-again'))$$, (select id from stale_job)),
                 'P0001', 'PARENT_NOT_ACTIVE', 'a parent no longer ACTIVE is refused');
select ok(pg_temp.unchanged(), 'and nothing is written');
select is(fail_job((select id from stale_job), 'w1', 1, 'PARENT_NOT_ACTIVE', 'superseded', null, false), 'FAILED',
          'the worker records the refusal as the job''s failure');

-- ---------------------------------------------------------------- improve: refusals write nothing
create temp table improve_job as select pg_temp.running(pg_temp.bot('Improver'), 'IMPROVE') as id;
select pg_temp.snapshot();
select throws_ok(format($$select complete_leased_job(%L, 'w-other', 1, pg_temp.improvement(true, 'h2-next'))$$, (select id from improve_job)),
                 'P0001', 'LEASE_LOST', 'another worker cannot record the iteration');
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, pg_temp.improvement(true, 'h2-next') - 'adopted')$$, (select id from improve_job)),
                 '22023', 'INVALID_RESULT', 'adopted is required');
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, pg_temp.improvement(true, 'h2-next') - 'session')$$, (select id from improve_job)),
                 '22023', 'INVALID_RESULT', 'the session is required');
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, jsonb_set(pg_temp.improvement(true, 'h2-next'), '{params}', '[22]'))$$,
                        (select id from improve_job)),
                 '22023', 'INVALID_RESULT', 'params must be an object');
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, jsonb_set(pg_temp.improvement(true, 'h2-next'), '{session,instrument}', '"MNQ"'))$$,
                        (select id from improve_job)),
                 '22023', 'INSTRUMENT_MISMATCH', 'a session for another instrument is refused');
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, jsonb_set(pg_temp.improvement(true, 'h2-next'), '{trades,0,side}', '"SIDEWAYS"'))$$,
                        (select id from improve_job)),
                 '23514', null, 'a trade breaking a constraint is refused');
select ok(pg_temp.unchanged(), 'refusals write nothing: no session, bot unchanged, job RUNNING');

-- ---------------------------------------------------------------- improve: not adopted
create temp table tried_doc as
    select complete_leased_job((select id from improve_job), 'w1', 1, pg_temp.improvement(false, 'h2-tried')) as doc;
create temp table tried as select (doc ->> 'session_id')::uuid as session_id from tried_doc;
select is((select doc from tried_doc), jsonb_build_object('session_id', (select session_id from tried), 'adopted', false),
          'the recorder''s document: {session_id, adopted}');
select results_eq(
    $$select bot_id, job_id, status, iteration, params_hash, params, instrument, bars_tested
        from backtest_sessions where id = (select session_id from tried)$$,
    $$select pg_temp.bot('Improver'), (select id from improve_job), 'COMPLETED', 1, 'h2-tried', '{"n": 22}'::jsonb, 'MES', 1560$$,
    'a rejected candidate''s session is recorded as iteration 1 with its own params and hash');
select is((select count(*)::int from trade_logs where session_id = (select session_id from tried)), 2, 'with its trades');
select results_eq($$select iteration, params_hash, params from bots where id = pg_temp.bot('Improver')$$,
                  $$values (0, 'h2', '{"n": 2}'::jsonb)$$, 'the bot is unchanged');
select results_eq(
    $$select to_status, reason_code, details from job_run_events where job_id = (select id from improve_job) order by id desc limit 1$$,
    $$select 'COMPLETED', 'IMPROVE_RECORDED', jsonb_build_object('session_id', (select session_id from tried), 'adopted', false)$$,
    'the job is COMPLETED with reason IMPROVE_RECORDED');
select results_eq(
    $$select payload - 'in_sample' - 'out_of_sample' - 'mutation' from activity_events
       where event_type = 'IMPROVE_COMPLETED' and job_id = (select id from improve_job)$$,
    $$select jsonb_build_object('adopted', false, 'iteration', 1, 'params_hash', 'h2-tried', 'previous_params_hash', 'h2',
                                'session_id', (select session_id from tried))$$,
    'IMPROVE_COMPLETED says not adopted');
select is((select payload #> '{out_of_sample,candidate,net_pnl}' from activity_events
            where event_type = 'IMPROVE_COMPLETED' and job_id = (select id from improve_job)), '9'::jsonb,
          'and carries the comparison');

-- ---------------------------------------------------------------- improve: adopted
create temp table improve_job2 as select pg_temp.running(pg_temp.bot('Improver'), 'IMPROVE') as id;
create temp table adopted as
    select (complete_leased_job((select id from improve_job2), 'w1', 1, pg_temp.improvement(true, 'h2-next')) ->> 'session_id')::uuid
           as session_id;
select results_eq($$select iteration, params_hash, params from bots where id = pg_temp.bot('Improver')$$,
                  $$values (1, 'h2-next', '{"n": 22}'::jsonb)$$, 'an adopted candidate becomes the bot''s params, iteration 1');
select results_eq($$select iteration, params_hash from backtest_sessions where id = (select session_id from adopted)$$,
                  $$values (1, 'h2-next')$$, 'its session is iteration 1 with the new hash');
select is((select payload ->> 'adopted' from activity_events where event_type = 'IMPROVE_COMPLETED'
            and job_id = (select id from improve_job2)), 'true', 'IMPROVE_COMPLETED says adopted');
select is((select payload ->> 'previous_params_hash' from activity_events where event_type = 'IMPROVE_COMPLETED'
            and job_id = (select id from improve_job2)), 'h2', 'and names the hash it replaced');

create temp table improve_job3 as select pg_temp.running(pg_temp.bot('Improver'), 'IMPROVE') as id;
create temp table third as
    select (complete_leased_job((select id from improve_job3), 'w1', 1, pg_temp.improvement(true, 'h2-third')) ->> 'session_id')::uuid
           as session_id;
select is((select iteration from backtest_sessions where id = (select session_id from third)), 2, 'the next iteration is 2');
select is((select iteration from bots where id = pg_temp.bot('Improver')), 2, 'and the bot follows');
select throws_ok(format($$select complete_leased_job(%L, 'w1', 1, pg_temp.improvement(true, 'h2-fourth'))$$, (select id from improve_job3)),
                 'P0001', 'LEASE_LOST', 'a completed job cannot record a second iteration');
select is((select count(*)::int from backtest_sessions where job_id = (select id from improve_job3)), 1, 'one session per job');

-- Every IMPROVE completion recorded its candidate (record_backtest's path; 003 covers it fully).
select is((select count(*)::int from backtest_sessions s join bot_jobs j on j.id = s.job_id where j.job_type = 'IMPROVE'), 3,
          'three iterations recorded');
select is((select count(*)::int from bots where name = 'Bystander' and status = 'ACTIVE' and iteration = 0), 1,
          'other bots are untouched');

select * from finish();
rollback;
