-- What a worker's heartbeat row says about it now — the one home of the rule, read by
-- the lease rescuer, the status API and pruning:
--   STOPPED  it said goodbye (graceful shutdown)
--   DEAD     it claims RUNNING but the database session it heartbeats on is gone (the
--            process died: kill -9, a crash; or PostgreSQL restarted and it has not
--            beaten since)
--   STALE    its session lives but it has not beaten for 15 s (its heartbeat pause is
--            at most 2 s, Heartbeat.maximumPause): frozen, or cut off
--   RUNNING  otherwise
-- Rows from before the session was recorded (backend_pid null) are judged by age only.
create or replace function worker_state(w worker_heartbeats) returns text
language sql stable as $$
    select case
               when w.status = 'STOPPED' then 'STOPPED'
               when w.backend_pid is not null
                    and not exists (select 1 from pg_stat_activity a
                                     where a.pid = w.backend_pid and a.backend_start = w.backend_started) then 'DEAD'
               when w.last_seen_at < now() - interval '15 seconds' then 'STALE'
               else 'RUNNING'
           end
$$;
