-- Wall-clock schedules (docs/research.md, "Weekly research"): a schedule with
-- weekly_at ("Wed 17:00", UTC) is due once per week at that time — exactly once per
-- slot, as the interval schedules (schedule_runs' unique (schedule, due_at)) — and
-- the weekly research run is such a schedule, a row a DBA can change.
alter table schedules add column weekly_at text
    check (weekly_at is null or weekly_at ~ '^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([01][0-9]|2[0-3]):[0-5][0-9]$');

-- next_due_at is not one of its slots yet: the first tick moves it to the next
-- Wednesday 17:00 UTC without running (run_due_schedules).
insert into schedules (name, interval_seconds, function_name, description, weekly_at)
values ('research_weekly', 604800, 'start_weekly_research',
        'the weekly parameter-grid research run (its roster policy follows when it completes)', 'Wed 17:00');
