-- Upserts the worker's row in worker_heartbeats, with the database session it beats on. A worker that appears (new
-- row, a new pid, or back from STOPPED) writes WORKER_STARTED; one that reports
-- STOPPED writes WORKER_STOPPED. Payload: {worker_id, hostname, pid, slots, job_types}.
-- A job type that is not a row of job_kinds → 22023 UNKNOWN_JOB_KIND.
create or replace function record_worker_heartbeat(
    p_worker text, p_hostname text, p_pid int, p_slots int, p_types text[], p_status text default 'RUNNING'
) returns void
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    v_prev worker_heartbeats%rowtype;
    v_event text;
begin
    if exists (select 1 from unnest(p_types) t where not exists (select 1 from job_kinds k where k.kind = t)) then
        raise exception 'UNKNOWN_JOB_KIND' using errcode = '22023',
            detail = format('not job kinds: %s', (select string_agg(t, ', ') from unnest(p_types) t
                                                  where not exists (select 1 from job_kinds k where k.kind = t))),
            hint = 'the kinds are the rows of job_kinds';
    end if;
    select * into v_prev from worker_heartbeats where worker_id = p_worker for update;
    if p_status = 'RUNNING' and (v_prev.worker_id is null or v_prev.status = 'STOPPED'
                                 or v_prev.pid is distinct from p_pid) then
        v_event := 'WORKER_STARTED';
    elsif p_status = 'STOPPED' and v_prev.status is distinct from 'STOPPED' then
        v_event := 'WORKER_STOPPED';
    end if;

    -- The session this beat came from: when it is gone, so is the worker (worker_state).
    insert into worker_heartbeats as w (worker_id, hostname, pid, slots, job_types, started_at, last_seen_at, status,
                                        backend_pid, backend_started)
    values (p_worker, coalesce(p_hostname, ''), p_pid, coalesce(p_slots, 1), coalesce(p_types, '{}'), now(), now(),
            coalesce(p_status, 'RUNNING'), pg_backend_pid(),
            (select a.backend_start from pg_stat_activity a where a.pid = pg_backend_pid()))
    on conflict (worker_id) do update
       set hostname = excluded.hostname, pid = excluded.pid, slots = excluded.slots, job_types = excluded.job_types,
           last_seen_at = now(), status = excluded.status, backend_pid = excluded.backend_pid,
           backend_started = excluded.backend_started,
           started_at = case when v_event = 'WORKER_STARTED' then now() else w.started_at end;

    if v_event is not null then
        insert into activity_events (event_type, payload)
        values (v_event, jsonb_build_object('worker_id', p_worker, 'hostname', p_hostname, 'pid', p_pid,
                                            'slots', p_slots, 'job_types', to_jsonb(p_types)));
    end if;
end
$$;
