-- Failures: fail_job retries with backoff then FAILS with a FAILED session; the
-- circuit breaker opens after 3 consecutive backtest failures within the window,
-- blocks backtest claims while open and closes after the cooldown; the lease
-- rescuer moves expired jobs through TIMEOUT to QUEUED or FAILED, and the lost
-- worker's late result is refused; release and cancel. now() is fixed inside
-- the transaction, so time is faked by moving run_after, lease_expires_at and
-- closes_at.
begin;
select plan(46);

truncate bot_jobs, job_run_events, backtest_sessions, trade_logs, activity_events, integration_usage_events,
         worker_heartbeats, bots, archetypes, instruments cascade;
update circuit_breakers set state = 'CLOSED', consecutive_failures = 0, streak_started_at = null, opened_at = null,
       closes_at = null;
update settings set value = '3' where key = 'backtest_concurrency';
update settings set value = '10' where key = 'retry_backoff_seconds';
update settings set value = '3' where key = 'circuit_failure_threshold';
update settings set value = '30' where key = 'circuit_window_minutes';
update settings set value = '300' where key = 'circuit_cooldown_seconds';

select seed_starter_pack(
    '[{"symbol":"MES","name":"Micro E-mini S&P 500","tick_size":0.25,"multiplier":5,"currency":"USD","commission_per_side":0.57,"exchange":"CME","kind":"future"}]',
    '[{"slug":"b1","name":"Bot B1","family":"breakout","instrument":"MES","timeframe":"5m","default_params":{},"param_bounds":{},"params_hash":"h1"},
      {"slug":"b2","name":"Bot B2","family":"breakout","instrument":"MES","timeframe":"5m","default_params":{},"param_bounds":{},"params_hash":"h2"},
      {"slug":"b3","name":"Bot B3","family":"breakout","instrument":"MES","timeframe":"5m","default_params":{},"param_bounds":{},"params_hash":"h3"},
      {"slug":"b4","name":"Bot B4","family":"breakout","instrument":"MES","timeframe":"5m","default_params":{},"param_bounds":{},"params_hash":"h4"}]',
    false);
create function pg_temp.bot(p_name text) returns uuid language sql as $$ select id from bots where name = p_name $$;
-- Each test bot gets one job per type here, so (bot, type) names a job.
create function pg_temp.job(p_name text, p_type text default 'BACKTEST_BASELINE') returns uuid language sql as $$
    select id from bot_jobs where bot_id = pg_temp.bot(p_name) and job_type = p_type $$;
-- Makes every QUEUED job claimable "now".
create function pg_temp.time_passes() returns void language sql as $$
    update bot_jobs set run_after = now() - interval '1 second' where status = 'QUEUED' $$;

-- ---------------------------------------------------------------- retry with backoff, then FAILED
select job_id from enqueue_job(pg_temp.bot('Bot B1'), 'BACKTEST_BASELINE');
select is((select count(*)::int from claim_jobs('w1', '{BACKTEST_BASELINE}', 1)), 1, 'claimed attempt 1');
select is(fail_job(pg_temp.job('Bot B1'), 'w1', 1, 'PROVIDER_TIMEOUT', 'no answer', 'retry later'), 'QUEUED',
          'a retryable failure with attempts left goes back to QUEUED');
select is((select run_after from bot_jobs where id = pg_temp.job('Bot B1')), now() + interval '10 seconds',
          'first retry waits retry_backoff_seconds');
select is((select count(*)::int from claim_jobs('w1', '{BACKTEST_BASELINE}', 1)), 0, 'not claimable during the backoff');
select pg_temp.time_passes();
select is((select attempt from claim_jobs('w1', '{BACKTEST_BASELINE}', 1)), 2, 'claimed attempt 2 after the backoff');
select is(fail_job(pg_temp.job('Bot B1'), 'w1', 2, 'provider timeout', 'no answer'), 'QUEUED', 'attempt 2 fails, will retry');
select is((select run_after from bot_jobs where id = pg_temp.job('Bot B1')), now() + interval '20 seconds',
          'the backoff doubles');
select is((select error_code from bot_jobs where id = pg_temp.job('Bot B1')), 'PROVIDER_TIMEOUT',
          'error codes are normalised to upper snake case');
select pg_temp.time_passes();
select is((select attempt from claim_jobs('w1', '{BACKTEST_BASELINE}', 1)), 3, 'claimed attempt 3');
select is(fail_job(pg_temp.job('Bot B1'), 'w1', 3, 'PROVIDER_TIMEOUT', 'no answer', 'check the provider'), 'FAILED',
          'the last attempt fails for good');
select results_eq($$select status, error_code, instrument, params_hash from backtest_sessions where job_id = pg_temp.job('Bot B1')$$,
                  $$values ('FAILED'::text, 'PROVIDER_TIMEOUT'::text, 'MES'::text, 'h1'::text)$$,
                  'a final failure records a FAILED session with the error');
select results_eq($$select payload ->> 'will_retry', payload ->> 'suggested_fix' from activity_events
                     where event_type = 'BACKTEST_FAILED' and job_id = pg_temp.job('Bot B1') order by id$$,
                  $$values ('true', 'retry later'), ('true', null), ('false', 'check the provider')$$,
                  'one BACKTEST_FAILED per failed attempt, with will_retry and the fix');
select is((select finished_at is not null from bot_jobs where id = pg_temp.job('Bot B1')), true, 'FAILED jobs are finished');
select throws_ok(format($$select fail_job(%L, 'w1', 3, 'X', 'again')$$, pg_temp.job('Bot B1')), 'P0001', 'LEASE_LOST',
                 'failing a job that is no longer RUNNING → LEASE_LOST');

-- ---------------------------------------------------------------- the breaker
-- Bot B1's three failures above opened it.
select is((select state from circuit_breakers where name = 'backtest'), 'OPEN', '3 consecutive failures open the breaker');
select is((select count(*)::int from activity_events where event_type = 'CIRCUIT_OPENED'), 1, 'CIRCUIT_OPENED written once');
select is((select closes_at from circuit_breakers where name = 'backtest'), now() + interval '300 seconds',
          'it stays open for the cooldown');
select job_id from enqueue_job(pg_temp.bot('Bot B2'), 'BACKTEST_BASELINE');
select job_id from enqueue_job(null, 'NOOP');
select results_eq($$select job_type from claim_jobs('w1', '{BACKTEST_BASELINE,NOOP}', 5)$$, $$values ('NOOP')$$,
                  'while open, no backtest is claimed (other types still are)');
select is(api_scheduler_status() #>> '{breaker,state}', 'OPEN', 'the scheduler status shows it open');
update circuit_breakers set closes_at = now() - interval '1 second' where name = 'backtest';
select is((select count(*)::int from claim_jobs('w1', '{BACKTEST_BASELINE}', 5)), 1, 'after the cooldown backtests are claimed again');
select is((select state from circuit_breakers where name = 'backtest'), 'CLOSED', 'and the breaker is closed');
select is((select count(*)::int from activity_events where event_type = 'CIRCUIT_CLOSED'), 1, 'CIRCUIT_CLOSED written');

-- Failures outside the window do not add up; a success resets the streak.
select is(fail_job(pg_temp.job('Bot B2'), 'w1', 1, 'PROVIDER_TIMEOUT', 'x'), 'QUEUED', 'one failure');
select pg_temp.time_passes();
select attempt from claim_jobs('w1', '{BACKTEST_BASELINE}', 1);
select is(fail_job(pg_temp.job('Bot B2'), 'w1', 2, 'PROVIDER_TIMEOUT', 'x'), 'QUEUED', 'two failures');
update circuit_breakers set streak_started_at = now() - interval '31 minutes' where name = 'backtest';
select pg_temp.time_passes();
select attempt from claim_jobs('w1', '{BACKTEST_BASELINE}', 1);
select is(fail_job(pg_temp.job('Bot B2'), 'w1', 3, 'PROVIDER_TIMEOUT', 'x', null, true), 'FAILED', 'a third, but the streak began 31 minutes ago');
select results_eq($$select state, consecutive_failures from circuit_breakers where name = 'backtest'$$,
                  $$values ('CLOSED'::text, 1)$$, 'the streak restarts: the breaker stays closed');
select job_id from enqueue_job(pg_temp.bot('Bot B3'), 'BACKTEST_BASELINE');
select attempt from claim_jobs('w1', '{BACKTEST_BASELINE}', 1);
select is(fail_job(pg_temp.job('Bot B3'), 'w1', 1, 'STRATEGY_ERROR', 'bad params', null, false), 'FAILED',
          'a non-retryable failure is FAILED at once');
select is((select consecutive_failures from circuit_breakers where name = 'backtest'), 2, 'and counts toward the breaker');

-- ---------------------------------------------------------------- the lease rescuer
update circuit_breakers set state = 'CLOSED', consecutive_failures = 0, streak_started_at = null where name = 'backtest';
select job_id from enqueue_job(pg_temp.bot('Bot B4'), 'BACKTEST_BASELINE');
select attempt from claim_jobs('w-crashed', '{BACKTEST_BASELINE}', 1);
select is(rescue_expired_leases(), 0, 'a live lease is not rescued');
update bot_jobs set lease_expires_at = now() - interval '1 second' where id = pg_temp.job('Bot B4');
select is(rescue_expired_leases(), 1, 'an expired lease is rescued');
select results_eq($$select status, attempt, worker_id, error_code from bot_jobs where id = pg_temp.job('Bot B4')$$,
                  $$values ('QUEUED'::text, 1, null::text, 'LEASE_EXPIRED'::text)$$, 'back to QUEUED, attempt kept');
select results_eq($$select from_status, to_status, reason_code from job_run_events where job_id = pg_temp.job('Bot B4') order by id$$,
                  $$values (null, 'QUEUED', 'REQUESTED'), ('QUEUED', 'RUNNING', 'CLAIMED'), ('RUNNING', 'TIMEOUT', 'LEASE_EXPIRED'),
                           ('TIMEOUT', 'QUEUED', 'RETRY_AFTER_TIMEOUT')$$,
                  'through TIMEOUT, with job_run_events');
select throws_ok(format($$select complete_leased_job(%L, 'w-crashed', 1, '{"session":{}}')$$, pg_temp.job('Bot B4')),
                 'P0001', 'LEASE_LOST', 'the crashed worker''s late result is refused');
select is((select attempt from claim_jobs('w2', '{BACKTEST_BASELINE}', 1)), 2, 'another worker claims attempt 2');
select throws_ok(format($$select complete_leased_job(%L, 'w-crashed', 1, '{"session":{}}')$$, pg_temp.job('Bot B4')),
                 'P0001', 'LEASE_LOST', 'still refused while another worker holds it');
select is(heartbeat_jobs('w-crashed', array[pg_temp.job('Bot B4')]), 0, 'the crashed worker''s heartbeat holds nothing');
update bot_jobs set lease_expires_at = now() - interval '1 second', max_attempts = 2 where id = pg_temp.job('Bot B4');
select is(rescue_expired_leases(), 1, 'rescued again at max_attempts');
select results_eq($$select status, to_status, reason_code from bot_jobs j join job_run_events e on e.job_id = j.id
                     where j.id = pg_temp.job('Bot B4') order by e.id desc limit 1$$,
                  $$values ('FAILED'::text, 'FAILED'::text, 'MAX_ATTEMPTS_REACHED'::text)$$, 'FAILED at max attempts');
select is((select status from backtest_sessions where job_id = pg_temp.job('Bot B4')), 'FAILED', 'with a FAILED session');
select is((select consecutive_failures from circuit_breakers where name = 'backtest'), 0, 'timeouts do not feed the breaker');

-- ---------------------------------------------------------------- release and cancel
select job_id from enqueue_job(pg_temp.bot('Bot B4'), 'BACKTEST_REFRESH');
select attempt from claim_jobs('w3', '{BACKTEST_REFRESH}', 1);
select is(release_jobs('w3', array[pg_temp.job('Bot B4', 'BACKTEST_REFRESH')]), 1, 'a stopping worker releases its job');
select results_eq($$select status, attempt, worker_id from bot_jobs where id = pg_temp.job('Bot B4', 'BACKTEST_REFRESH')$$,
                  $$values ('QUEUED'::text, 0, null::text)$$, 'QUEUED again, the attempt given back');
select is(cancel_job(pg_temp.job('Bot B4', 'BACKTEST_REFRESH')), 'CANCELLED', 'cancel a queued job');
select is(cancel_job(pg_temp.job('Bot B4', 'BACKTEST_REFRESH')), 'CANCELLED', 'cancelling again changes nothing');
select throws_ok($$select cancel_job('00000000-0000-0000-0000-000000000000')$$, 'P0002', 'JOB_NOT_FOUND', 'unknown job');

-- ---------------------------------------------------------------- the audit trail
select is((select count(*)::int from (select from_status, lag(to_status) over (partition by job_id order by id) as prev
                                        from job_run_events) x where x.from_status is distinct from x.prev), 0,
          'every status change has its job_run_events row, chained');

select * from finish();
rollback;
