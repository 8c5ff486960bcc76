-- The queue: enqueue dedup, claim order and limits, heartbeats, recording a
-- backtest atomically, the lease rule (LEASE_LOST writes nothing), bad input,
-- and the audit trail (every status change has its job_run_events row).
-- now() is fixed inside this transaction, so time is faked by moving run_after.
begin;
select plan(59);

-- A clean slate inside the transaction (all of it rolls back).
truncate bot_jobs, job_run_events, backtest_sessions, trade_logs, activity_events, integration_usage_events,
         worker_heartbeats, bots, archetypes, instruments cascade;
update circuit_breakers set state = 'CLOSED', consecutive_failures = 0, streak_started_at = null, opened_at = null,
       closes_at = null;
update settings set value = '3' where key = 'backtest_concurrency';

select seed_starter_pack(
    '[{"symbol":"MNQ","name":"Micro E-mini Nasdaq-100","tick_size":0.25,"multiplier":2,"currency":"USD","commission_per_side":0.57,"exchange":"CME","kind":"future"},
      {"symbol":"MES","name":"Micro E-mini S&P 500","tick_size":0.25,"multiplier":5,"currency":"USD","commission_per_side":0.57,"exchange":"CME","kind":"future"}]',
    '[{"slug":"a1","name":"Bot A1","family":"breakout","instrument":"MNQ","timeframe":"5m","default_params":{"n":1},"param_bounds":{},"params_hash":"h1"},
      {"slug":"a2","name":"Bot A2","family":"breakout","instrument":"MNQ","timeframe":"1m","default_params":{"n":2},"param_bounds":{},"params_hash":"h2"},
      {"slug":"a3","name":"Bot A3","family":"reversion","instrument":"MES","timeframe":"5m","default_params":{"n":3},"param_bounds":{},"params_hash":"h3"},
      {"slug":"a4","name":"Bot A4","family":"reversion","instrument":"MES","timeframe":"15m","default_params":{"n":4},"param_bounds":{},"params_hash":"h4"},
      {"slug":"a5","name":"Bot A5","family":"trend","instrument":"MES","timeframe":"1h","default_params":{"n":5},"param_bounds":{},"params_hash":"h5"}]',
    false);

create function pg_temp.bot(p_name text) returns uuid language sql as $$ select id from bots where name = p_name $$;
create function pg_temp.result(p_trades int) returns jsonb language sql as $$
    select jsonb_build_object(
        'session', jsonb_build_object('window_from', '2026-10-01T00:00:00Z', 'window_to', '2026-10-29T00:00:00Z',
            'bars_tested', 5460, 'data_source', 'synthetic', 'data_fingerprint', 'fp', 'trades_count', p_trades,
            'realized_pnl', 42.5, 'sharpe', 1.2, 'sortino', 1.5, 'max_drawdown_usd', 80, 'max_drawdown_pct', 0.8,
            'profit_factor', 1.4, 'win_rate', 0.5, 'expectancy', 21.25, 'sqn', 0.7, 'metrics', '{}'::jsonb,
            'equity_curve', '[]'::jsonb, 'engine_version', 'test', 'params_hash', 'h1', 'params', '{"n":1}'::jsonb,
            'iteration', 0, 'started_at', '2026-11-01T10:00:00.000Z', 'completed_at', '2026-11-01T10:00:02.500Z',
            'duration_ms', 2500.0),
        'trades', coalesce((select jsonb_agg(jsonb_build_object('seq', g, 'side', 'LONG', 'contracts', 1,
            'entry_time', '2026-10-02T14:30:00Z', 'entry_price', 20000.25, 'exit_time', '2026-10-02T14:45:00Z',
            'exit_price', 20010.5, 'exit_reason', 'TARGET', 'entry_reason', 'breakout: close 20001.00 > range high 20000.75', 'pnl', 19.36, 'costs', 1.14)) from generate_series(1, p_trades) g), '[]'))
$$;

-- ---------------------------------------------------------------- enqueue
select is((select count(*)::int from bot_jobs), 0, 'seeding with kickoff off queued nothing');

select results_eq($$select created, reason_code from enqueue_job(pg_temp.bot('Bot A1'), 'BACKTEST_BASELINE')$$,
                  $$values (true, 'ENQUEUED')$$, 'enqueue creates a job');
select results_eq($$select created, reason_code from enqueue_job(pg_temp.bot('Bot A1'), 'BACKTEST_BASELINE')$$,
                  $$values (false, 'ACTIVE_JOB_EXISTS')$$, 'a second enqueue for the same bot and type is refused');
select is((select job_id from enqueue_job(pg_temp.bot('Bot A1'), 'BACKTEST_BASELINE')),
          (select id from bot_jobs where bot_id = pg_temp.bot('Bot A1')), 'and returns the active job');
select is((select count(*)::int from bot_jobs where bot_id = pg_temp.bot('Bot A1')), 1, 'exactly one job exists');
select throws_ok($$insert into bot_jobs (bot_id, job_type) values (pg_temp.bot('Bot A1'), 'BACKTEST_BASELINE')$$,
                 '23505', null, 'the partial unique index refuses a second active job even without enqueue_job');
select results_eq($$select created from enqueue_job(pg_temp.bot('Bot A1'), 'BACKTEST_REFRESH')$$, $$values (true)$$,
                  'another type for the same bot is fine');
select is((select count(*)::int from activity_events where event_type = 'BACKTEST_QUEUED'), 2,
          'one BACKTEST_QUEUED per created backtest job');

-- Bad input changes nothing.
create temp table counts as select (select count(*) from bot_jobs) as jobs, (select count(*) from job_run_events) as events,
                                   (select count(*) from activity_events) as feed;
select throws_ok($$select * from enqueue_job('00000000-0000-0000-0000-000000000000', 'BACKTEST_BASELINE')$$,
                 'P0002', 'BOT_NOT_FOUND', 'unknown bot → P0002 BOT_NOT_FOUND');
select throws_ok($$select * from enqueue_job(pg_temp.bot('Bot A2'), 'BACKTEST_EVERYTHING')$$,
                 '22023', 'UNKNOWN_JOB_KIND', 'unknown job kind → 22023 UNKNOWN_JOB_KIND');
update bots set status = 'KILLED' where name = 'Bot A5';
select throws_ok($$select * from enqueue_job(pg_temp.bot('Bot A5'), 'BACKTEST_BASELINE')$$,
                 'P0001', 'BOT_KILLED', 'a killed bot takes no jobs');
update bots set status = 'ACTIVE' where name = 'Bot A5';
select is((select row((select count(*) from bot_jobs), (select count(*) from job_run_events), (select count(*) from activity_events))::text),
          (select row(jobs, events, feed)::text from counts), 'refused enqueues wrote nothing');

-- ---------------------------------------------------------------- claim: order, run_after, limits
select job_id from enqueue_job(null, 'NOOP', 100, '{"n":"late"}', now() - interval '1 minute');
select job_id from enqueue_job(null, 'NOOP', 100, '{"n":"early"}', now() - interval '2 minutes');
select job_id from enqueue_job(null, 'NOOP', 5, '{"n":"urgent"}', now());
select job_id from enqueue_job(null, 'NOOP', 1, '{"n":"future"}', now() + interval '1 hour');

select results_eq($$select payload ->> 'n' from claim_jobs('w-noop', '{NOOP}', 1)$$, $$values ('urgent')$$,
                  'lowest priority number first');
select results_eq($$select payload ->> 'n' from claim_jobs('w-noop', '{NOOP}', 10)$$, $$values ('early'), ('late')$$,
                  'then by run_after; a job whose run_after is ahead is not claimed');
select is((select count(*)::int from claim_jobs('w-noop', '{NOOP}', 10)), 0, 'nothing left to claim now');
select is((select count(*)::int from bot_jobs where job_type = 'NOOP' and status = 'RUNNING' and worker_id = 'w-noop'
             and attempt = 1 and lease_expires_at > now() and started_at is not null), 3,
          'claimed jobs are RUNNING, attempt 1, leased to the worker');
select is((select count(*)::int from activity_events where job_id in (select id from bot_jobs where job_type = 'NOOP')), 0,
          'NOOP jobs write no feed events');

-- Concurrency limit: 3 backtests fleet-wide.
select e.job_id from unnest(array['Bot A2', 'Bot A3', 'Bot A4', 'Bot A5']) n, enqueue_job(pg_temp.bot(n), 'BACKTEST_BASELINE') e;
create temp table c1 as select * from claim_jobs('w1', '{BACKTEST_BASELINE}', 2);
select is((select count(*)::int from c1), 2, 'claims up to p_limit');
select is((select count(*)::int from c1 join bots b on b.id = c1.bot_id
            where (c1.instrument, c1.timeframe, c1.params, c1.params_hash, c1.archetype_slug, c1.iteration)
                = (b.instrument, b.timeframe, b.params, b.params_hash, b.archetype_slug, b.iteration)), 2,
          'a claim returns the bot''s instrument, timeframe, params and hash');
select is((select count(*)::int from claim_jobs('w2', '{BACKTEST_BASELINE,BACKTEST_REFRESH}', 10)), 1,
          'only one more: backtest_concurrency is 3');
select is((select count(*)::int from claim_jobs('w2', '{BACKTEST_BASELINE,BACKTEST_REFRESH}', 10)), 0,
          'and none while 3 run');
select job_id from enqueue_job(null, 'NOOP', 100, '{"n":"mixed"}', now());
select results_eq($$select job_type from claim_jobs('w3', '{BACKTEST_BASELINE,BACKTEST_REFRESH,NOOP}', 10)$$,
                  $$values ('NOOP')$$, 'a mixed claim still gets the other types when backtests are at the limit');
select set_setting('backtest_concurrency', '4');
select is((select count(*)::int from claim_jobs('w2', '{BACKTEST_BASELINE,BACKTEST_REFRESH}', 10)), 1,
          'raising the limit to 4 lets one more run');
select is((select count(*)::int from bot_jobs where status = 'RUNNING' and job_type like 'BACKTEST%'), 4,
          'four backtests running');
select is((select count(*)::int from activity_events where event_type = 'BACKTEST_STARTED'), 4,
          'one BACKTEST_STARTED per claimed backtest');
select is((select count(*)::int from claim_jobs('w1', '{GRID}', 10)), 0, 'a type with nothing queued claims nothing');
select is((select count(*)::int from claim_jobs('w1', '{NOOP}', 0)), 0, 'p_limit 0 claims nothing');

-- ---------------------------------------------------------------- heartbeat
create temp table held as select id, attempt, worker_id, bot_id from bot_jobs where status = 'RUNNING' and job_type = 'BACKTEST_BASELINE';
update bot_jobs set lease_expires_at = now() + interval '1 second' where status = 'RUNNING';
select is(heartbeat_jobs('w1', (select array_agg(id) from held where worker_id = 'w1') ||
                               (select array_agg(id) from held where worker_id = 'w2')),
          2, 'heartbeat counts only the jobs the worker holds');
select ok((select bool_and(lease_expires_at > now() + interval '30 seconds') from bot_jobs
            where worker_id = 'w1' and status = 'RUNNING'), 'heartbeat extends the lease');
select ok((select bool_and(lease_expires_at < now() + interval '30 seconds') from bot_jobs
            where worker_id = 'w2' and status = 'RUNNING'), 'other workers'' leases are untouched');

-- ---------------------------------------------------------------- complete_leased_job and the lease rule
create temp table mine as select id, attempt, worker_id, bot_id from held where bot_id = (select min(bot_id::text)::uuid from held where worker_id = 'w1');
truncate counts;
insert into counts select (select count(*) from backtest_sessions), (select count(*) from job_run_events), (select count(*) from activity_events);

select throws_ok(format($$select complete_leased_job(%L, 'w-wrong', %s, pg_temp.result(3))$$, (select id from mine), (select attempt from mine)),
                 'P0001', 'LEASE_LOST', 'wrong worker → LEASE_LOST');
select throws_ok(format($$select complete_leased_job(%L, 'w1', %s, pg_temp.result(3))$$, (select id from mine), (select attempt + 1 from mine)),
                 'P0001', 'LEASE_LOST', 'wrong attempt → LEASE_LOST');
select throws_ok(format($$select complete_leased_job(%L, 'w1', %s, pg_temp.result(3) #- '{session,bars_tested}' || '{"trades":[{"seq":1,"side":"SIDEWAYS"}]}')$$,
                        (select id from mine), (select attempt from mine)),
                 '23514', null, 'a result that breaks a constraint is refused whole');
-- The backtest recorder needs a session: a NOOP-shaped result for a backtest job is refused.
select throws_ok(format($$select complete_leased_job(%L, 'w1', %s)$$, (select id from mine), (select attempt from mine)),
                 '22023', 'INVALID_RESULT', 'a backtest result without a session → 22023 INVALID_RESULT');
select throws_ok(format($$select complete_leased_job(%L, 'w1', %s, '{"session": []}')$$, (select id from mine), (select attempt from mine)),
                 '22023', 'INVALID_RESULT', 'a session that is not an object → 22023 INVALID_RESULT');
select is((select status from bot_jobs where id = (select id from mine)), 'RUNNING', 'the job is still RUNNING after refusals');
select is((select row((select count(*) from backtest_sessions), (select count(*) from job_run_events), (select count(*) from activity_events))::text),
          (select row(jobs, events, feed)::text from counts), 'refused results wrote nothing');

create temp table done as select complete_leased_job(id, 'w1', attempt, pg_temp.result(3)) as doc from mine;
select is((select doc from done), (select jsonb_build_object('session_id', s.id) from backtest_sessions s
                                     where s.job_id = (select id from mine)),
          'the holder records its result; the recorder answers {session_id}');
select is((select status from bot_jobs where id = (select id from mine)), 'COMPLETED', 'the job is COMPLETED');
select results_eq($$select from_status, to_status, reason_code, worker_id, details from job_run_events
                     where job_id = (select id from mine) order by id desc limit 1$$,
                  $$select 'RUNNING', 'COMPLETED', 'BACKTEST_RECORDED', 'w1', (select doc from done)$$,
                  'RUNNING → COMPLETED with the recorder''s reason and document');
select results_eq($$select status, trades_count, realized_pnl, bars_tested, instrument, timeframe
                      from backtest_sessions where job_id = (select id from mine)$$,
                  $$select 'COMPLETED'::text, 3, 42.5::numeric, 5460, b.instrument, b.timeframe from bots b where b.id = (select bot_id from mine)$$,
                  'one session with the result, on the bot''s instrument and timeframe');
select is((select count(*)::int from trade_logs where session_id = (select id from backtest_sessions where job_id = (select id from mine))), 3,
          'its trades are recorded');
select is((select tick_size from backtest_sessions where job_id = (select id from mine)),
          (select i.tick_size from instruments i join bots b on b.instrument = i.symbol where b.id = (select bot_id from mine)),
          'tick size defaults to the instrument''s');
select results_eq($$select payload ->> 'trades_count', payload ->> 'realized_pnl', payload ->> 'win_rate', trace_id
                      from activity_events where event_type = 'BACKTEST_COMPLETED' and job_id = (select id from mine)$$,
                  $$select '3', '42.5', '0.5', trace_id from bot_jobs where id = (select id from mine)$$,
                  'BACKTEST_COMPLETED carries the headline numbers and the trace id');
select throws_ok(format($$select complete_leased_job(%L, 'w1', %s, pg_temp.result(3))$$, (select id from mine), (select attempt from mine)),
                 'P0001', 'LEASE_LOST', 'a second result for a completed job → LEASE_LOST');
select is((select count(*)::int from backtest_sessions where job_id = (select id from mine)), 1, 'still one session');

-- Wrong instrument for the bot is refused.
select throws_ok(format($$select complete_leased_job(%L, 'w2', 1, pg_temp.result(1) || jsonb_build_object('session', pg_temp.result(1) -> 'session' || '{"instrument":"MNQ"}'))$$,
                        (select h.id from held h join bots b on b.id = h.bot_id where h.worker_id = 'w2' and b.instrument = 'MES' limit 1)),
                 '22023', 'INSTRUMENT_MISMATCH', 'a result for another instrument is refused');

-- NOOP has no recorder: it completes with {} whatever the result says.
select is(complete_leased_job((select id from bot_jobs where payload ->> 'n' = 'urgent'), 'w-noop', 1, '{"ignored": true}'),
          '{}'::jsonb, 'complete_leased_job completes a NOOP with {}');
select throws_ok(format($$select complete_leased_job(%L, 'w-noop', 1)$$, (select id from bot_jobs where payload ->> 'n' = 'urgent')),
                 'P0001', 'LEASE_LOST', 'twice → LEASE_LOST');
select throws_ok(format($$select complete_leased_job(%L, 'w-other', 1)$$, (select id from bot_jobs where payload ->> 'n' = 'early')),
                 'P0001', 'LEASE_LOST', 'a NOOP held by another worker → LEASE_LOST (the fast path checks the lease too)');
select is((select count(*)::int from bot_jobs where job_type = 'NOOP' and status = 'COMPLETED'), 1, 'one NOOP completed');

-- Worker heartbeat rows.
select record_worker_heartbeat('w1', 'host', 123, 4, '{BACKTEST_BASELINE,BACKTEST_REFRESH}');
select record_worker_heartbeat('w1', 'host', 123, 4, '{BACKTEST_BASELINE,BACKTEST_REFRESH}');
select record_worker_heartbeat('w1', 'host', 123, 4, '{BACKTEST_BASELINE,BACKTEST_REFRESH}', 'STOPPED');
select results_eq($$select event_type from activity_events where event_type like 'WORKER_%' order by id$$,
                  $$values ('WORKER_STARTED'), ('WORKER_STOPPED')$$, 'a worker starts once and stops once in the feed');
select is((select status from worker_heartbeats where worker_id = 'w1'), 'STOPPED', 'the heartbeat row says STOPPED');

-- Usage records.
select is(record_usage((select id from mine), '[{"provider":"synthetic","endpoint":"/bars","status":"OK","latency_ms":1.5,"bars_returned":5460},
                                                {"provider":"databento","endpoint":"/v0/timeseries.get_range","status":"PROVIDER_UNAUTHORIZED","http_status":401,"latency_ms":80,"bars_returned":0}]'),
          2, 'record_usage writes one row per call');
select results_eq($$select provider, bot_id, trace_id from integration_usage_events order by id$$,
                  $$select p, j.bot_id, j.trace_id from bot_jobs j, unnest(array['synthetic', 'databento']) p where j.id = (select id from mine)$$,
                  'usage rows carry the job''s bot and trace id');

-- scheduler status
select is((api_scheduler_status() ->> 'runningBacktests')::int, 3, 'api_scheduler_status counts running backtests');
select is(api_scheduler_status() #>> '{breaker,state}', 'CLOSED', 'and shows the breaker');

-- ---------------------------------------------------------------- the audit trail
select is((select count(*)::int from bot_jobs j
            where not exists (select 1 from job_run_events e where e.job_id = j.id and e.to_status = j.status
                                and e.id = (select max(id) from job_run_events where job_id = j.id))), 0,
          'every job''s latest job_run_events row matches its status');
select is((select count(*)::int from (select from_status, lag(to_status) over (partition by job_id order by id) as prev
                                        from job_run_events) x where x.from_status is distinct from x.prev), 0,
          'job_run_events chain: each from_status is the previous to_status');

select * from finish();
rollback;
