-- A dead worker is noticed in seconds, not after a whole lease (issue 13 §5): each
-- worker's heartbeat row records the database session it beats on (backend pid and
-- start time); a RUNNING worker whose session is gone is dead (worker_state), and the
-- lease rescuer releases its jobs at once (reason WORKER_GONE), the lease staying the
-- fallback. The timer runs the rescuer every 5 s (it was 15), besides every live
-- worker's heartbeat.
alter table worker_heartbeats
    add column backend_pid     int,
    add column backend_started timestamptz;

update schedules set interval_seconds = 5 where name = 'lease_rescuer' and interval_seconds = 15;
