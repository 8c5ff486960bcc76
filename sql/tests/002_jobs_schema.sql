-- The jobs schema (migration 0002): tables, the constraints that carry the
-- invariants, the indexes of the claim path and the feed, the settings and their
-- ranges, the DBA views, and the users' proof queries (PROOFS.md §2, §3, §7)
-- running as written.
begin;
select plan(73);

select has_table(t) from unnest(array['instruments', 'archetypes', 'bots', 'bot_jobs', 'job_run_events',
    'backtest_sessions', 'trade_logs', 'integration_usage_events', 'activity_events', 'worker_heartbeats',
    'circuit_breakers', 'job_kinds', 'advisory_locks']) as t;
select has_view('queue_depths');
select has_view('bot_evidence');
select hasnt_view('bot_latest_backtest');
select has_function(f) from unnest(array['setting', 'lock_key', 'complete_leased_job']) as f;
select hasnt_function(f) from unnest(array['complete_backtest', 'complete_job', 'complete_evolve', 'complete_improve',
                                           'elapsed_label']) as f;
select columns_are('queue_depths', array['job_type', 'status', 'count']);

select has_column('backtest_sessions', c) from unnest(array['status', 'instrument', 'tick_size',
    'contract_multiplier', 'bars_tested', 'params_hash', 'iteration', 'trades_count', 'realized_pnl', 'data_source',
    'data_fingerprint', 'trace_id', 'error_code', 'job_id']) as c;
select col_is_unique('backtest_sessions', 'job_id');
select col_type_is('bot_jobs', 'run_after', 'timestamp with time zone');

select has_index('bot_jobs', 'bot_jobs_one_active', array['bot_id', 'job_type']);
select has_index('bot_jobs', 'bot_jobs_claim', array['priority', 'run_after', 'created_at']);
select index_is_unique('bot_jobs', 'bot_jobs_one_active');
select has_index('activity_events', 'activity_events_created');
select has_index('activity_events', 'activity_events_bot');
select has_index('backtest_sessions', 'backtest_sessions_bot_completed');
select has_index('backtest_sessions', 'backtest_sessions_created');

-- No timestamp without time zone anywhere in the jobs tables.
select is((select count(*)::int from information_schema.columns
            where table_schema = 'public' and data_type = 'timestamp without time zone'), 0,
          'every timestamp is timestamptz');

-- Enumerations are CHECKed.
-- (event types are rows of event_types, so an unknown one is a foreign-key violation)
select throws_ok($$insert into activity_events (event_type) values ('SOMETHING_ELSE')$$, '23503', null,
                 'an unknown activity event type is refused');
select lives_ok($$insert into activity_events (event_type) select unnest(array['STARTER_PACK_CREATED',
    'BACKTEST_QUEUED', 'BACKTEST_STARTED', 'BACKTEST_COMPLETED', 'BACKTEST_FAILED', 'AUTONOMY_SCORE_UPDATED',
    'AUTONOMY_TIER_CHANGED', 'PROMOTED', 'DEMOTED', 'GRADUATED', 'EVOLVED_GENERATION_CREATED',
    'AUTONOMY_GATE_BLOCKED', 'KILL_TRIGGERED', 'METRICS_RESET', 'STAGES_REVERTED', 'CIRCUIT_OPENED',
    'CIRCUIT_CLOSED', 'IMPROVE_QUEUED', 'IMPROVE_COMPLETED', 'EVOLVE_QUEUED', 'JOB_FAILED', 'WORKER_STARTED',
    'WORKER_STOPPED'])$$, 'every documented activity event type is accepted');
select fk_ok('bot_jobs', 'job_type', 'job_kinds', 'kind');
-- A bot of its own (rolled back), so the row passes every CHECK and only the kind is wrong.
insert into instruments (symbol, name, tick_size, multiplier, exchange) values ('T002', 'test 002', 0.25, 2, 'TEST');
insert into archetypes (slug, name, family, instrument, timeframe) values ('t002', 'test 002', 'breakout', 'T002', '5m');
insert into bots (id, name, archetype_slug, instrument, timeframe, params_hash)
values ('00000000-0000-0000-0000-000000000002', 'test 002', 't002', 'T002', '5m', 'h');
select throws_ok($$insert into bot_jobs (bot_id, job_type) values ('00000000-0000-0000-0000-000000000002', 'SOMETHING_ELSE')$$,
                 '23503', 'insert or update on table "bot_jobs" violates foreign key constraint "bot_jobs_job_type_fkey"',
                 'an unknown job type is refused (job_kinds is the list)');
select throws_ok($$insert into bot_jobs (job_type) values ('BACKTEST_BASELINE')$$, '23514', null,
                 'only NOOP jobs may lack a bot');
select throws_ok($$insert into bot_jobs (job_type, status) values ('NOOP', 'RUNNING')$$, '23514', null,
                 'a RUNNING job must carry a worker and a lease');
select throws_ok($$insert into bot_jobs (job_type, status) values ('NOOP', 'PAUSED')$$, '23514', null,
                 'an unknown job status is refused');

-- Settings: defaults present, ranges enforced by set_setting and by the table.
select is((select count(*)::int from settings where key in ('backtest_concurrency', 'auto_kickoff_backtests',
    'job_lease_seconds', 'retry_backoff_seconds', 'circuit_failure_threshold', 'circuit_window_minutes',
    'circuit_cooldown_seconds', 'baseline_trading_days')), 8, 'the eight job settings exist');
select is((select value from settings where key = 'backtest_concurrency'), '3'::jsonb, 'backtest_concurrency defaults to 3');
select is(set_setting('backtest_concurrency', '64'), '64'::jsonb, 'backtest_concurrency can be 64 (workers on other machines)');
select is(set_setting('backtest_concurrency', '4'), '4'::jsonb, 'backtest_concurrency can be 4');
select throws_ok($$select set_setting('backtest_concurrency', '65')$$, '22023', 'SETTING_OUT_OF_RANGE',
                 'backtest_concurrency 65 is refused');
select throws_ok($$select set_setting('backtest_concurrency', '1')$$, '22023', 'SETTING_OUT_OF_RANGE',
                 'backtest_concurrency 1 is refused');
select throws_ok($$update settings set value = '"three"' where key = 'backtest_concurrency'$$, '23514', null,
                 'a DBA update is held to the range too');
select throws_ok($$select set_setting('no_such_setting', '1')$$, 'P0002', 'SETTING_NOT_FOUND', 'unknown setting');
select is((select value from settings where key = 'backtest_concurrency'), '4'::jsonb,
          'refused changes left the value alone');

-- The users' proof queries run as written (PROOFS.md §2, §3, §7 and the queue depth check).
select lives_ok($$SELECT id, bot_id, status, trades_count, realized_pnl, started_at, completed_at, created_at FROM backtest_sessions ORDER BY created_at DESC LIMIT 10$$, 'proof §2 sessions');
select lives_ok($$SELECT id, bot_id, created_at FROM trade_logs ORDER BY created_at DESC LIMIT 10$$, 'proof §2 trades');
select lives_ok($$SELECT provider, count(*) FROM integration_usage_events WHERE created_at > NOW() - INTERVAL '24 hours' GROUP BY provider$$, 'proof §2 usage');
select lives_ok($$SELECT event_type, bot_id, created_at FROM activity_events ORDER BY created_at DESC LIMIT 30$$, 'proof §3 feed');
select lives_ok($$SELECT bot_id, instrument, tick_size, contract_multiplier FROM backtest_sessions ORDER BY completed_at DESC LIMIT 10$$, 'proof §7 instruments');
select lives_ok($$SELECT bot_id, bars_tested, started_at, completed_at, EXTRACT(EPOCH FROM (completed_at - started_at)) AS seconds FROM backtest_sessions ORDER BY completed_at DESC LIMIT 10$$, 'proof §7 bars and duration');
select lives_ok($$SELECT bot_id, iteration, params_hash, completed_at FROM backtest_sessions ORDER BY completed_at DESC LIMIT 20$$, 'proof §7 iteration');
select lives_ok($$SELECT job_type, status, COUNT(*) FROM bot_jobs WHERE status IN ('QUEUED','RUNNING') GROUP BY 1,2 ORDER BY 1,2$$, 'queue depth query');

select * from finish();
rollback;
