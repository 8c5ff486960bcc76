-- A dead worker is noticed by its database session, not after a whole lease: the
-- heartbeat row records the session it beats on, worker_state judges it, and the
-- lease rescuer releases a DEAD worker's jobs at once (WORKER_GONE), while a live
-- worker's jobs keep their leases. The status API shows the state; pruning drops old
-- dead rows.
begin;
set client_min_messages = warning;
select plan(12);

\ir fixtures/autonomy_fleet.sql
truncate worker_heartbeats;

-- A live worker: this very session.
select record_worker_heartbeat('alive', 'host', 101, 1, '{BACKTEST_BASELINE}');
select is((select backend_pid from worker_heartbeats where worker_id = 'alive'), pg_backend_pid(),
          'the heartbeat records the session it came from');
select is((select worker_state(w) from worker_heartbeats w where worker_id = 'alive'), 'RUNNING', 'alive: RUNNING');

-- A dead one: its recorded session is not in pg_stat_activity.
insert into worker_heartbeats (worker_id, hostname, pid, slots, job_types, status, backend_pid, backend_started)
values ('dead', 'host', 102, 1, '{BACKTEST_BASELINE}', 'RUNNING', 2147483000, now());
select is((select worker_state(w) from worker_heartbeats w where worker_id = 'dead'), 'DEAD', 'session gone: DEAD');
-- A stale one: session alive, silent for 20 s.
insert into worker_heartbeats (worker_id, hostname, pid, slots, job_types, status, backend_pid, backend_started, last_seen_at)
select 'silent', 'host', 103, 1, '{BACKTEST_BASELINE}', 'RUNNING', pg_backend_pid(), a.backend_start, now() - interval '20 seconds'
  from pg_stat_activity a where a.pid = pg_backend_pid();
select is((select worker_state(w) from worker_heartbeats w where worker_id = 'silent'), 'STALE', 'silent for 20 s: STALE');
select record_worker_heartbeat('gone-home', 'host', 104, 1, '{BACKTEST_BASELINE}', 'STOPPED');
select is((select worker_state(w) from worker_heartbeats w where worker_id = 'gone-home'), 'STOPPED', 'said goodbye: STOPPED');

-- Jobs held by the dead and the live worker, leases far from expiry.
select enqueue_job(pg_temp.bot('Bot 1'), 'BACKTEST_BASELINE');
select enqueue_job(pg_temp.bot('Bot 2'), 'BACKTEST_BASELINE');
select claim_jobs('dead', '{BACKTEST_BASELINE}', 1);
select claim_jobs('alive', '{BACKTEST_BASELINE}', 1);
select is(rescue_expired_leases(), 1, 'the rescuer releases the dead worker''s job at once');
select is((select status || ' ' || attempt from bot_jobs where worker_id is null and job_type = 'BACKTEST_BASELINE'
             and status_reason = 'RETRY_AFTER_TIMEOUT'), 'QUEUED 1', 'queued again, its attempt kept');
select ok(exists (select 1 from job_run_events where reason_code = 'WORKER_GONE' and worker_id = 'dead'
                                                   and to_status = 'TIMEOUT'), 'RUNNING → TIMEOUT, reason WORKER_GONE');
select is((select status from bot_jobs where worker_id = 'alive'), 'RUNNING', 'the live worker keeps its job');

select is((select jsonb_agg(w ->> 'workerId' || ' ' || (w ->> 'state') order by w ->> 'workerId')
             from jsonb_array_elements(api_scheduler_status() -> 'workers') w),
          '["alive RUNNING", "dead DEAD", "gone-home STOPPED", "silent STALE"]'::jsonb, 'the status API shows each state');
select is((api_system_counts() ->> 'workersAlive')::int, 1, 'only the live worker counts as alive');

update worker_heartbeats set last_seen_at = now() - interval '2 days' where worker_id in ('dead', 'gone-home', 'alive');
select prune_history();
select is((select array_agg(worker_id order by worker_id) from worker_heartbeats), array['alive', 'silent'],
          'pruning drops day-old DEAD and STOPPED rows (a live session is kept, however quiet)');

select * from finish();
rollback;
