-- Bulk revert to LAB (revert_stages_to_lab) starts the reverted bots over: their
-- evidence is reset (bots.metrics_reset_at = now(), so bot_evidence has no
-- session for them) and a BACKTEST_BASELINE is queued for each reverted ACTIVE
-- bot. The next supervisor cycle therefore cannot promote them straight back on
-- the sessions that promoted them before; they return only through the gates on
-- new evidence. Before migration 0005 the revert only moved the stage: no
-- baseline was queued and the very next supervisor_tick() re-promoted the bots
-- on their old sessions.
begin;
select plan(20);

\ir fixtures/autonomy_fleet.sql

-- Every bot has a session that passes LAB → PAPER (the fixture's defaults), a minute old.
select pg_temp.session(id) from bots;
update bots set stage = 'PAPER' where name = 'Bot 1';
update bots set stage = 'SHADOW' where name = 'Bot 2';
update bots set stage = 'PAPER', pinned = true where name = 'Bot 3';
update bots set stage = 'PAPER', status = 'KILLED' where name = 'Bot 4';
-- Bot 5 stays in LAB with its evidence (not reverted). Bot 6: LAB, no evidence (not reverted).
insert into bots (name, archetype_slug, instrument, timeframe, params, params_hash, created_at)
values ('Bot 6', 'g5', 'MNQ', '5m', '{"n": 6}', 'h6', now() - interval '1 day');

create temp table rev as select revert_stages_to_lab('admin') as doc;
select is((select doc - 'botIds' from rev),
          '{"reverted": 3, "skippedPinned": 1, "reasonCode": "BULK_REVERT_REBASELINE", "baselinesQueued": 2}'::jsonb,
          'three bots reverted (one KILLED), the pinned one skipped, two baselines queued');
select results_eq($$select b.name, j.status, e.reason_code from bot_jobs j join bots b on b.id = j.bot_id
                      join job_run_events e on e.job_id = j.id
                     where j.job_type = 'BACKTEST_BASELINE' order by b.name$$,
                  $$values ('Bot 1', 'QUEUED', 'BULK_REVERT_REBASELINE'), ('Bot 2', 'QUEUED', 'BULK_REVERT_REBASELINE')$$,
                  'each reverted ACTIVE bot has a QUEUED BACKTEST_BASELINE, queued with the revert''s reason');
select is((select count(*)::int from activity_events a join bots b on b.id = a.bot_id
            where a.event_type = 'BACKTEST_QUEUED' and b.name in ('Bot 1', 'Bot 2')), 2, 'with its BACKTEST_QUEUED');
select is((select count(*)::int from bot_jobs j join bots b on b.id = j.bot_id where b.name = 'Bot 4'), 0,
          'the reverted KILLED bot gets no job (and does not fail the revert)');
select is((select stage from bots where name = 'Bot 4'), 'LAB', 'but it is reverted');
select is((select count(*)::int from bot_jobs j join bots b on b.id = j.bot_id where b.name in ('Bot 3', 'Bot 5', 'Bot 6')), 0,
          'bots not reverted (pinned; LAB with or without evidence) get nothing');
select is((select payload ->> 'baselines_queued' from activity_events where event_type = 'STAGES_REVERTED'), '2',
          'STAGES_REVERTED says how many baselines were queued');
select is((select count(*)::int from bots where name in ('Bot 1', 'Bot 2', 'Bot 4') and metrics_reset_at = now()), 3,
          'the reverted bots'' evidence is reset');

-- The next supervisor cycle: no re-promotion on the old sessions.
create temp table tick as select supervisor_tick() as doc;
select results_eq($$select name, stage from bots where name in ('Bot 1', 'Bot 2') order by name$$,
                  $$values ('Bot 1', 'LAB'), ('Bot 2', 'LAB')$$,
                  'supervisor_tick does not promote the reverted bots back on their old sessions');
select is((select count(*)::int from bot_stage_events e join bots b on b.id = e.bot_id
            where b.name in ('Bot 1', 'Bot 2') and e.reason_code = 'GATES_PASSED'), 0, 'no GATES_PASSED stage event for them');
select is((select stage from bots where name = 'Bot 5'), 'PAPER',
          'a LAB bot that was not reverted is still promoted on its evidence (the gates work)');
select is((select count(*)::int from bot_gate_streaks s join bots b on b.id = s.bot_id where b.name in ('Bot 1', 'Bot 2')), 0,
          'the reverted bots are not even evaluated (no evidence)');
select is((select failures -> 0 ->> 'reason_code' from gate_status where bot_id = pg_temp.bot('Bot 1')),
          'NO_EFFECTIVE_SESSION', 'gate_status says why: no effective session');
select is((select count(*)::int from bot_evidence e join bots b on b.id = e.bot_id
            where b.name in ('Bot 1', 'Bot 2', 'Bot 4') and e.session_id is null), 3,
          'bot_evidence has no session for a reverted bot');
select is((select count(*)::int from bot_evidence e join bots b on b.id = e.bot_id
            where b.name in ('Bot 3', 'Bot 5') and e.session_id is not null), 2,
          'while the others keep theirs');

-- New evidence (the baseline's session, completed after the reset) brings a bot back through the gates.
select pg_temp.session(pg_temp.bot('Bot 1'), jsonb_build_object('completed_at', now()), true);
select supervisor_tick();
select is((select stage from bots where name = 'Bot 1'), 'PAPER', 'a new session after the reset promotes through the gates');
select is((select session_id from bot_evidence where bot_id = pg_temp.bot('Bot 1')),
          (select id from backtest_sessions where bot_id = pg_temp.bot('Bot 1') and completed_at = now()),
          'judged on the new session');
select is((select stage from bots where name = 'Bot 2'), 'LAB', 'Bot 2 still waits for its baseline');

-- A second revert finds nothing new to queue for a bot whose baseline is still queued.
update bots set stage = 'PAPER' where name = 'Bot 2';
select is(revert_stages_to_lab('admin') - 'botIds',
          '{"reverted": 3, "skippedPinned": 1, "reasonCode": "BULK_REVERT_REBASELINE", "baselinesQueued": 1}'::jsonb,
          'reverting again (Bots 1, 2 and 5) queues only the missing baseline: Bot 5''s; Bots 1 and 2 still have theirs queued');
select is((select count(*)::int from bot_jobs where job_type = 'BACKTEST_BASELINE' and status = 'QUEUED'), 3,
          'one queued baseline per reverted bot, never two');

select * from finish();
rollback;
