-- The tick (pg_cron style), called about every second by `gauntlet timer` (or by
-- pg_cron). For each enabled schedule whose next_due_at has come — rows locked by
-- another caller are skipped (FOR NO KEY UPDATE SKIP LOCKED: a run row's foreign
-- key can still be checked while a timer holds its schedule) — it inserts the
-- schedule_runs row for (schedule, due_at); the unique constraint makes a second
-- run of one due slot impossible (ON CONFLICT DO NOTHING → recorded as skipped,
-- not run). It then runs `select <function_name>()` in its own subtransaction: a
-- function that raises rolls back only its own work, the run is FAILED with the
-- error message, and the other schedules still run. next_due_at advances to the
-- first slot after now() (schedule_next_due: the interval grid, or the next weekly_at
-- for a wall-clock schedule; missed slots are not replayed). A wall-clock schedule
-- whose next_due_at is not one of its slots is first moved to its next slot, unrun.
-- Returns {"ran": [{schedule, due_at, status, message, ms}], "skipped": [names]}.
create or replace function run_due_schedules() returns jsonb
language plpgsql volatile as $$
declare
    s schedules;
    v_run bigint;
    v_msg text;
    v_status text;
    v_t0 timestamptz;
    v_ran jsonb := '[]';
    v_skipped jsonb := '[]';
begin
    for s in
        select * from schedules
         where enabled and next_due_at <= now()
         order by next_due_at, name
           for no key update skip locked
    loop
        -- A wall-clock schedule whose next_due_at is not one of its slots (new, or its
        -- weekly_at changed) moves to its next slot without running.
        if s.weekly_at is not null and schedule_next_due(s, s.next_due_at - interval '1 second') <> s.next_due_at then
            update schedules set next_due_at = schedule_next_due(s, now()) where name = s.name;
            continue;
        end if;
        insert into schedule_runs (schedule_name, due_at, status)
        values (s.name, s.next_due_at, 'RUNNING')
        on conflict (schedule_name, due_at) do nothing
        returning id into v_run;

        if v_run is null then
            v_skipped := v_skipped || to_jsonb(s.name);
        else
            v_t0 := clock_timestamp();
            begin
                execute format('select %I()::text', s.function_name) into v_msg;
                v_status := 'OK';
            exception when others then
                v_status := 'FAILED';
                v_msg := sqlstate || ' ' || sqlerrm;
            end;
            update schedule_runs
               set status = v_status, finished_at = clock_timestamp(), message = left(v_msg, 2000)
             where id = v_run;
            v_ran := v_ran || jsonb_build_object('schedule', s.name, 'due_at', s.next_due_at, 'status', v_status,
                                                 'message', left(v_msg, 200),
                                                 'ms', round((extract(epoch from clock_timestamp() - v_t0) * 1000)::numeric, 1));
        end if;

        update schedules
           set next_due_at = schedule_next_due(s, now()),
               last_run_at = case when v_run is null then last_run_at else now() end
         where name = s.name;
    end loop;
    return jsonb_build_object('ran', v_ran, 'skipped', v_skipped);
end
$$;
