-- The first due slot of a schedule after p_after: for a wall-clock schedule
-- (weekly_at "Wed 17:00", UTC) the next such weekday and time; otherwise the next
-- point of its interval grid from next_due_at (missed slots are not replayed).
-- One home for "when next", used by run_due_schedules.
create or replace function schedule_next_due(p_schedule schedules, p_after timestamptz) returns timestamptz
language sql immutable as $$
    select case
        when p_schedule.weekly_at is not null then (
            select s from (
                select (date_trunc('week', p_after at time zone 'UTC')
                        + make_interval(days => (array_position(array['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
                                                                split_part(p_schedule.weekly_at, ' ', 1)) - 1) + 7 * w)
                        + split_part(p_schedule.weekly_at, ' ', 2)::time) at time zone 'UTC' as s
                  from generate_series(0, 1) w) x
             where s > p_after order by s limit 1)
        else p_schedule.next_due_at + make_interval(secs => p_schedule.interval_seconds)
             * (floor(extract(epoch from p_after - p_schedule.next_due_at) / p_schedule.interval_seconds) + 1)
    end
$$;
