-- job_run_events are written by the triggers on bot_jobs, one row per status
-- change, whoever changes it: the queue functions (which name the reason in
-- bot_jobs.status_reason / status_details) and a DBA's direct UPDATE (reason
-- STATUS_SET_DIRECTLY unless the statement names one). Before migration 0005
-- each function inserted its own event, so a direct UPDATE of a status left no
-- trace in job_run_events and the audit chain broke.
begin;
select plan(21);

\ir fixtures/autonomy_fleet.sql
create function pg_temp.job(p_name text, p_type text default 'BACKTEST_BASELINE') returns uuid language sql as $$
    select id from bot_jobs where bot_id = pg_temp.bot(p_name) and job_type = p_type $$;
create function pg_temp.events(p_job uuid) returns table (from_status text, to_status text, reason_code text)
language sql as $$ select from_status, to_status, reason_code from job_run_events where job_id = p_job order by id $$;
create function pg_temp.result() returns jsonb language sql as $$
    select jsonb_build_object('session', jsonb_build_object('bars_tested', 100, 'data_source', 'synthetic',
        'trades_count', 0, 'realized_pnl', 0, 'window_from', now() - interval '2 days', 'window_to', now() - interval '1 day',
        'started_at', now() - interval '1 second', 'completed_at', now())) $$;
-- The one completion entry point.
create function pg_temp.complete(p_job uuid, p_worker text, p_attempt int) returns jsonb language sql as $$
    select complete_leased_job(p_job, p_worker, p_attempt, pg_temp.result()) $$;

-- ---------------------------------------------------------------- the queue functions
-- enqueue → claim → heartbeat → fail (retry) → claim → complete
select job_id from enqueue_job(pg_temp.bot('Bot 1'), 'BACKTEST_BASELINE');
select job_id from claim_jobs('w1', '{BACKTEST_BASELINE}', 1);
create temp table n_before_heartbeat as select count(*) as n from job_run_events;
select heartbeat_jobs('w1', array[pg_temp.job('Bot 1')]);
select is((select count(*) from job_run_events), (select n from n_before_heartbeat),
          'an UPDATE that does not change the status (a heartbeat) writes no event');
select fail_job(pg_temp.job('Bot 1'), 'w1', 1, 'PROVIDER_TIMEOUT', 'slow', 'retry later', true);
update bot_jobs set run_after = now() - interval '1 second' where id = pg_temp.job('Bot 1');
select job_id from claim_jobs('w2', '{BACKTEST_BASELINE}', 1);
select pg_temp.complete(pg_temp.job('Bot 1'), 'w2', 2);

select results_eq($$select * from pg_temp.events(pg_temp.job('Bot 1'))$$,
                  $$values (null, 'QUEUED', 'REQUESTED'), ('QUEUED', 'RUNNING', 'CLAIMED'),
                           ('RUNNING', 'QUEUED', 'PROVIDER_TIMEOUT'), ('QUEUED', 'RUNNING', 'CLAIMED'),
                           ('RUNNING', 'COMPLETED', 'BACKTEST_RECORDED')$$,
                  'enqueue → claim → fail (retry) → claim → complete: exactly one event per status change');
select results_eq($$select worker_id, attempt from job_run_events where job_id = pg_temp.job('Bot 1') order by id$$,
                  $$values (null::text, 0), ('w1', 1), ('w1', 1), ('w2', 2), ('w2', 2)$$,
                  'each event names the worker and attempt of its transition');
select is((select details - 'run_after' from job_run_events where job_id = pg_temp.job('Bot 1') and reason_code = 'PROVIDER_TIMEOUT'),
          '{"message": "slow", "suggested_fix": "retry later", "will_retry": true}'::jsonb,
          'the failure''s event carries its message, fix and will_retry');
select is((select details ->> 'session_id' from job_run_events where job_id = pg_temp.job('Bot 1') and to_status = 'COMPLETED'),
          (select id::text from backtest_sessions where job_id = pg_temp.job('Bot 1')), 'the completion''s event names its session');
select is((select trace_id from job_run_events where job_id = pg_temp.job('Bot 1') group by trace_id),
          (select trace_id from bot_jobs where id = pg_temp.job('Bot 1')), 'every event carries the job''s trace id');

-- cancel_job and release_jobs
select job_id from enqueue_job(pg_temp.bot('Bot 2'), 'BACKTEST_REFRESH');
select job_id from claim_jobs('w3', '{BACKTEST_REFRESH}', 1);
select release_jobs('w3', array[pg_temp.job('Bot 2', 'BACKTEST_REFRESH')]);
select cancel_job(pg_temp.job('Bot 2', 'BACKTEST_REFRESH'), 'NO_LONGER_NEEDED');
select results_eq($$select * from pg_temp.events(pg_temp.job('Bot 2', 'BACKTEST_REFRESH'))$$,
                  $$values (null, 'QUEUED', 'REQUESTED'), ('QUEUED', 'RUNNING', 'CLAIMED'),
                           ('RUNNING', 'QUEUED', 'WORKER_SHUTDOWN'), ('QUEUED', 'CANCELLED', 'NO_LONGER_NEEDED')$$,
                  'release and cancel: one event each, with their reasons');

-- ---------------------------------------------------------------- the lease rescuer
select job_id from enqueue_job(pg_temp.bot('Bot 3'), 'BACKTEST_BASELINE');
select job_id from claim_jobs('w-crashed', '{BACKTEST_BASELINE}', 1);
update bot_jobs set lease_expires_at = now() - interval '1 second' where id = pg_temp.job('Bot 3');
select is(rescue_expired_leases(), 1, 'the rescuer takes the expired lease');
select results_eq($$select * from pg_temp.events(pg_temp.job('Bot 3'))$$,
                  $$values (null, 'QUEUED', 'REQUESTED'), ('QUEUED', 'RUNNING', 'CLAIMED'),
                           ('RUNNING', 'TIMEOUT', 'LEASE_EXPIRED'), ('TIMEOUT', 'QUEUED', 'RETRY_AFTER_TIMEOUT')$$,
                  'RUNNING → TIMEOUT (LEASE_EXPIRED) and TIMEOUT → QUEUED (RETRY_AFTER_TIMEOUT)');
select results_eq($$select worker_id, details ->> 'lost_worker' from job_run_events
                     where job_id = pg_temp.job('Bot 3') and reason_code = 'LEASE_EXPIRED'$$,
                  $$values ('w-crashed', 'w-crashed')$$, 'the timeout names the lost worker');

-- ---------------------------------------------------------------- a DBA's direct UPDATE
select job_id from enqueue_job(pg_temp.bot('Bot 4'), 'BACKTEST_BASELINE');
update bot_jobs set status = 'CANCELLED', finished_at = now() where id = pg_temp.job('Bot 4');
select results_eq($$select * from pg_temp.events(pg_temp.job('Bot 4'))$$,
                  $$values (null, 'QUEUED', 'REQUESTED'), ('QUEUED', 'CANCELLED', 'STATUS_SET_DIRECTLY')$$,
                  'a direct UPDATE of the status gets its event, reason STATUS_SET_DIRECTLY');
select is((select details from job_run_events where job_id = pg_temp.job('Bot 4') and to_status = 'CANCELLED'), '{}'::jsonb,
          'with empty details (not the previous transition''s)');


-- One statement moving many jobs: one event per job.
select e.job_id from generate_series(1, 3) g, enqueue_job(null, 'NOOP', null, jsonb_build_object('n', g)) e;
update bot_jobs set status = 'CANCELLED', finished_at = now() where job_type = 'NOOP';
select is((select count(*)::int from job_run_events e join bot_jobs j on j.id = e.job_id
            where j.job_type = 'NOOP' and e.to_status = 'CANCELLED' and e.reason_code = 'STATUS_SET_DIRECTLY'), 3,
          'one direct UPDATE of three jobs writes three events');
create temp view noop_events as
    select count(*)::int as n from job_run_events e join bot_jobs j on j.id = e.job_id where j.job_type = 'NOOP';
create temp table noop_before as select n from noop_events;
update bot_jobs set priority = 7 where job_type = 'NOOP';
select is((select n from noop_events), (select n from noop_before), 'a direct UPDATE of other columns writes none');
update bot_jobs set status = 'CANCELLED' where job_type = 'NOOP';
select is((select n from noop_events), (select n from noop_before), 'nor does setting a status to the one it already has');

-- A DBA may name the reason (bot_jobs.status_reason) in the same UPDATE.
select job_id from enqueue_job(pg_temp.bot('Bot 5'), 'BACKTEST_BASELINE');
update bot_jobs set status = 'CANCELLED', finished_at = now(), status_reason = 'DBA_CLEANUP' where id = pg_temp.job('Bot 5');
select results_eq($$select * from pg_temp.events(pg_temp.job('Bot 5'))$$,
                  $$values (null, 'QUEUED', 'REQUESTED'), ('QUEUED', 'CANCELLED', 'DBA_CLEANUP')$$,
                  'a direct UPDATE that names its reason gets that reason');

-- ---------------------------------------------------------------- the whole trail
select is((select count(*)::int from bot_jobs j
            where j.status is distinct from (select e.to_status from job_run_events e where e.job_id = j.id
                                              order by e.id desc limit 1)), 0,
          'every job''s latest event matches its status');
select is((select count(*)::int from (select from_status, lag(to_status) over (partition by job_id order by id) as prev
                                        from job_run_events) x where x.from_status is distinct from x.prev), 0,
          'the chain is unbroken: each from_status is the previous to_status');
select is((select status_reason from bot_jobs where id = pg_temp.job('Bot 4')), 'STATUS_SET_DIRECTLY',
          'and the job''s status_reason says so too (it does not keep the old reason)');
select is((select count(*)::int from bot_jobs j
            where j.status_reason is distinct from (select e.reason_code from job_run_events e where e.job_id = j.id
                                                     order by e.id desc limit 1)), 0,
          'bot_jobs.status_reason is the reason of the job''s latest event');
select is((select array_agg(tgname::text order by tgname) from pg_trigger
            where tgrelid = 'bot_jobs'::regclass and not tgisinternal),
          array['bot_jobs_enqueued_events', 'bot_jobs_status_events', 'bot_jobs_unexplained_status'],
          'the triggers that write them');

select * from finish();
rollback;
