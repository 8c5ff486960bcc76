-- The tick: run_due_schedules runs each due schedule once, records OK/FAILED
-- with the message, keeps going after a schedule that raises, advances
-- next_due_at past now(), and — with a second real session (dblink) — never runs
-- one (schedule, due_at) twice: a row another timer has locked is skipped, and a
-- slot another timer already recorded is not run again. Also pruning, and the
-- users' bulk revert (PROOFS.md §5) run whole, BEGIN to COMMIT, in the other
-- session. Rows the other session commits are removed at the end.
begin;
select plan(22);

select dblink_connect('other', format('dbname=%s user=%s port=%s host=%s', current_database(), current_user,
                                      current_setting('port'),
                                      split_part(current_setting('unix_socket_directories'), ',', 1)));
select dblink_exec('other', 'set lock_timeout = ''2s''');
set local lock_timeout = '2s';

select results_eq($$select name, interval_seconds, function_name from schedules order by name$$,
                  $$values ('lease_rescuer'::text, 5, 'rescue_expired_leases'::text), ('planner', 60, 'planner_tick'),
                           ('pruning', 86400, 'prune_history'), ('research_weekly', 604800, 'start_weekly_research'),
                           ('supervisor', 180, 'supervisor_tick')$$,
                  'the default schedules');

-- ---------------------------------------------------------------- two timers (dblink)
-- This session holds the planner row, as a timer in the middle of running it would.
select name from schedules where name = 'planner' for no key update;
select dblink_exec('other', 'begin');
select is((select count(*)::int from dblink('other', $$select jsonb_array_elements(run_due_schedules() -> 'ran') ->> 'schedule'$$)
             as t(name text) where name = 'planner'), 0,
          'a second timer skips the schedule the first one holds (no wait, no second run)');
select dblink_exec('other', 'rollback');

-- A slot the other timer already recorded (committed) is not run again here.
select dblink_exec('other', $$insert into schedule_runs (schedule_name, due_at, status, finished_at)
                              values ('planner', '2001-01-01T00:00:00Z', 'OK', now())$$);
update schedules set enabled = (name = 'planner');
update schedules set next_due_at = '2001-01-01T00:00:00Z' where name = 'planner';
create temp table ran as select run_due_schedules() as doc;
select is((select doc -> 'skipped' from ran), '["planner"]', 'the slot already run by the other timer is skipped');
select is((select doc -> 'ran' from ran), '[]', 'and nothing ran');
select is((select count(*)::int from autonomy_planner_runs where started_at = now()), 0, 'planner_tick did not run');
select ok((select next_due_at > now() from schedules where name = 'planner'), 'next_due_at still moves past now()');
select throws_ok($$insert into schedule_runs (schedule_name, due_at) values ('planner', '2001-01-01T00:00:00Z')$$,
                 '23505', null, 'the unique (schedule, due_at) refuses a second run row outright');
select dblink_exec('other', $$delete from schedule_runs where due_at = '2001-01-01T00:00:00Z'$$);

-- The users' bulk revert, exactly as written in PROOFS.md §5, in a real session.
select lives_ok($$select dblink_exec('other', $SQL$BEGIN;
INSERT INTO bot_stage_events (id, bot_id, from_stage, to_stage, reason_code, actor, created_at)
SELECT gen_random_uuid(), id, stage, 'LAB', 'BULK_REVERT_REBASELINE', 'system', now()
FROM bots
WHERE stage IN ('PAPER','SHADOW','CANARY','LIVE');

UPDATE bots
SET stage = 'LAB',
    stage_updated_at = now(),
    stage_reason_code = 'BULK_REVERT_REBASELINE'
WHERE stage IN ('PAPER','SHADOW','CANARY','LIVE');
COMMIT;$SQL$)$$, 'PROOFS.md §5 runs as written, BEGIN to COMMIT');
select lives_ok($$select * from dblink('other', $SQL$SELECT to_stage, reason_code, COUNT(*) FROM bot_stage_events WHERE reason_code='BULK_REVERT_REBASELINE' GROUP BY 1,2$SQL$)
                  as t(to_stage text, reason_code text, n bigint)$$, 'and so does its audit query');
select dblink_disconnect('other');

-- ---------------------------------------------------------------- one timer
create function test_sched_ok() returns int language sql as $$ select 7 $$;
create function test_sched_boom() returns int language plpgsql as $$
begin
    insert into activity_events (event_type, payload) values ('METRICS_RESET', '{"from": "boom"}');
    raise exception 'BOOM_FOR_TEST' using detail = 'raised on purpose';
end $$;
update schedules set enabled = false;
insert into schedules (name, interval_seconds, next_due_at, function_name) values
    ('t_boom', 60, now() - interval '150 seconds', 'test_sched_boom'),
    ('t_ok', 60, now() - interval '1 second', 'test_sched_ok');
delete from ran;
insert into ran select run_due_schedules();
select is((select jsonb_array_length(doc -> 'ran') from ran), 2, 'both due schedules ran');
select results_eq($$select schedule_name, status from schedule_runs where schedule_name like 't\_%' order by 1$$,
                  $$values ('t_boom'::text, 'FAILED'::text), ('t_ok', 'OK')$$,
                  'the one that raised is FAILED, the other still OK');
select alike((select message from schedule_runs where schedule_name = 't_boom'), '%BOOM_FOR_TEST%', 'FAILED keeps the message');
select is((select message from schedule_runs where schedule_name = 't_ok'), '7', 'OK keeps the result');
select is((select count(*)::int from activity_events where payload ->> 'from' = 'boom'), 0,
          'the failed function''s own writes are rolled back');
select is((select next_due_at from schedules where name = 't_boom'), now() + interval '30 seconds',
          'next_due_at advances on its grid past now() (due 150 s ago, every 60 s → in 30 s)');
select ok((select last_run_at = now() from schedules where name = 't_ok'), 'last_run_at is set');
delete from ran;
insert into ran select run_due_schedules();
select is((select doc from ran), '{"ran": [], "skipped": []}', 'nothing is due right after');
select is((select count(*)::int from schedule_runs where schedule_name like 't\_%'), 2, 'one run row per due slot');

-- Disabled schedules never run.
update schedules set next_due_at = now() - interval '1 hour', enabled = false where name = 't_ok';
delete from ran;
insert into ran select run_due_schedules();
select is((select doc -> 'ran' from ran), '[]', 'a disabled schedule does not run');

-- ---------------------------------------------------------------- pruning
insert into schedule_runs (schedule_name, due_at, started_at, status) values
    ('t_ok', now() - interval '8 days', now() - interval '8 days', 'OK'),
    ('t_ok', now() - interval '6 days', now() - interval '6 days', 'OK');
insert into autonomy_planner_runs (id, started_at) values ('00000000-0000-0000-0000-0000000000aa', now() - interval '4 days');
insert into instruments (symbol, name, tick_size, multiplier, exchange) values ('ZZPRUNE', 'prune', 0.25, 2, 'CME');
insert into archetypes (slug, name, family, instrument, timeframe) values ('zz-prune', 'prune', 'f', 'ZZPRUNE', '5m');
insert into bots (name, archetype_slug, instrument, timeframe, params_hash) values ('prune bot', 'zz-prune', 'ZZPRUNE', '5m', 'h');
insert into autonomy_bot_decisions (planner_run_id, bot_id, decision, reason_code, created_at)
select '00000000-0000-0000-0000-0000000000aa', id, 'SKIPPED', 'UP_TO_DATE', now() - interval '4 days' from bots where name = 'prune bot';
select is(prune_history() ->> 'schedule_runs', '1', 'schedule runs older than 7 days are pruned');
select is((select count(*)::int from schedule_runs where started_at < now() - interval '5 days'), 1, 'a 6-day-old run stays');
select is((select count(*)::int from autonomy_bot_decisions d join bots b on b.id = d.bot_id where b.name = 'prune bot'), 0,
          'decisions older than 3 days are pruned');

select * from finish();
rollback;
