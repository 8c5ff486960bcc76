-- Wall-clock schedules: research_weekly ("Wed 17:00" UTC) is aligned to its slot
-- without running, runs exactly once when its slot comes (a WEEKLY research run),
-- and a slot that finds a run in progress is recorded as skipped, not failed.
begin;
select plan(8);

truncate research_runs, bot_jobs, job_run_events cascade;
truncate schedule_runs;
update schedules set enabled = (name = 'research_weekly');
update schedules set next_due_at = now() - interval '1 minute' where name = 'research_weekly';

create function pg_temp.slot(p_after timestamptz) returns timestamptz language sql as $$
    select schedule_next_due(s, p_after) from schedules s where s.name = 'research_weekly' $$;
select is(pg_temp.slot('2026-12-02 16:59:59+00'), '2026-12-02 17:00:00+00'::timestamptz, 'a second before the slot: that slot');
select is(pg_temp.slot('2026-12-02 17:00:00+00'), '2026-12-09 17:00:00+00'::timestamptz, 'at the slot: the next week''s');
select is(pg_temp.slot('2026-12-06 12:00:00+00'), '2026-12-09 17:00:00+00'::timestamptz, 'from a Sunday: the Wednesday after');

-- next_due_at is not a slot: the tick moves it, runs nothing.
select run_due_schedules();
select is((select count(*)::int from schedule_runs), 0, 'an unaligned wall-clock schedule does not run');
select is((select to_char(next_due_at at time zone 'UTC', 'Dy HH24:MI') from schedules where name = 'research_weekly'),
          'Wed 17:00', 'it is moved to its next Wednesday 17:00 UTC');

-- Its slot comes (simulated: the slot moved into the past) → one WEEKLY run.
update schedules set next_due_at = pg_temp.slot(now() - interval '14 days') where name = 'research_weekly';
select run_due_schedules();
select results_eq($$select trigger, state from research_runs$$, $$values ('WEEKLY', 'QUEUED')$$,
                  'the slot starts a WEEKLY research run');
-- The next slot while that run is still going: skipped, with the reason.
update schedules set next_due_at = pg_temp.slot(now() - interval '7 days') where name = 'research_weekly';
select run_due_schedules();
select is((select count(*)::int from research_runs), 1, 'no second run while one is in progress');
select results_eq($$select status, message from schedule_runs order by due_at desc limit 1$$,
                  $$values ('OK', 'RUN_IN_PROGRESS: this week''s slot is skipped')$$,
                  'the busy slot ran and says why it started nothing');

select * from finish();
rollback;
