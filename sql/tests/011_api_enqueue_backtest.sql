-- POST /api/backtests through api_enqueue_backtest: without a type the bot's
-- evidence (bot_evidence) decides — a bot whose only completed session predates
-- its metrics reset (its own or the global one) has no evidence and gets
-- BACKTEST_BASELINE; a bot with a session after its reset gets BACKTEST_REFRESH.
-- A type must be a backtest kind (job_kinds.is_backtest): anything else is 22023
-- NOT_A_BACKTEST_KIND. Priority is the kind's default; a repeat finds the active
-- job; an unknown bot is P0002 BOT_NOT_FOUND. Also api_backtest_bot (the re-run
-- lookup) and api_enqueue_evolve (POST /api/bots/:id/evolve).
begin;
select plan(28);

\ir fixtures/autonomy_fleet.sql

create function pg_temp.priority(p_doc jsonb) returns int language sql as $$
    select priority from bot_jobs where id = (p_doc ->> 'jobId')::uuid $$;
create temp table docs (name text primary key, doc jsonb);
create function pg_temp.doc(p_name text) returns jsonb language sql as $$ select doc from docs where name = p_name $$;

-- ---------------------------------------------------------------- evidence decides the kind
-- Bot 1: a completed session two days ago, then its own metrics reset a day ago.
select pg_temp.session(pg_temp.bot('Bot 1'), jsonb_build_object('completed_at', now() - interval '2 days'));
update bots set metrics_reset_at = now() - interval '1 day' where name = 'Bot 1';
-- Bot 2: reset two days ago, a completed session since.
update bots set metrics_reset_at = now() - interval '2 days' where name = 'Bot 2';
select pg_temp.session(pg_temp.bot('Bot 2'), jsonb_build_object('completed_at', now() - interval '1 hour'));
-- Bot 3: never backtested.
-- Bot 4: a completed session two days ago, then a global reset (settings.metrics_reset_at) a day ago.
select pg_temp.session(pg_temp.bot('Bot 4'), jsonb_build_object('completed_at', now() - interval '2 days'));
update settings set value = to_jsonb(now() - interval '1 day') where key = 'metrics_reset_at';
-- Bot 5: a completed session after the global reset.
select pg_temp.session(pg_temp.bot('Bot 5'), jsonb_build_object('completed_at', now() - interval '1 minute'));

select is((select session_id from bot_evidence where name = 'Bot 1'), null,
          'Bot 1''s only session predates its reset: it has no evidence');

insert into docs select 'b1', api_enqueue_backtest(pg_temp.bot('Bot 1'), null, 'TEST');
insert into docs select 'b2', api_enqueue_backtest(pg_temp.bot('Bot 2'), null, 'TEST');
insert into docs select 'b3', api_enqueue_backtest(pg_temp.bot('Bot 3'), null, 'TEST');
insert into docs select 'b4', api_enqueue_backtest(pg_temp.bot('Bot 4'), null, 'TEST');
insert into docs select 'b5', api_enqueue_backtest(pg_temp.bot('Bot 5'), null, 'TEST');

select is(pg_temp.doc('b1') ->> 'type', 'BACKTEST_BASELINE',
          'a completed session before the bot''s metrics reset does not count: BACKTEST_BASELINE');
select is(pg_temp.doc('b2') ->> 'type', 'BACKTEST_REFRESH', 'a completed session after the reset: BACKTEST_REFRESH');
select is(pg_temp.doc('b3') ->> 'type', 'BACKTEST_BASELINE', 'no session at all: BACKTEST_BASELINE');
select is(pg_temp.doc('b4') ->> 'type', 'BACKTEST_BASELINE',
          'a completed session before the global metrics reset does not count either: BACKTEST_BASELINE');
select is(pg_temp.doc('b5') ->> 'type', 'BACKTEST_REFRESH', 'a session after the global reset: BACKTEST_REFRESH');

-- ---------------------------------------------------------------- the answer
select is(pg_temp.keys(pg_temp.doc('b1')),
          array['botId', 'created', 'jobId', 'reasonCode', 'status', 'traceId', 'type'],
          'the answer has the API''s keys');
select is(pg_temp.doc('b1') ->> 'botId', pg_temp.bot('Bot 1')::text, 'it names the bot');
select is(pg_temp.doc('b1') -> 'created', 'true'::jsonb, 'a new job: created');
select is(pg_temp.doc('b1') ->> 'reasonCode', 'ENQUEUED', 'reason ENQUEUED');
select is(pg_temp.doc('b1') ->> 'status', 'QUEUED', 'status QUEUED');
select is(pg_temp.doc('b1') ->> 'traceId', (select trace_id::text from bot_jobs where id = (pg_temp.doc('b1') ->> 'jobId')::uuid),
          'the job''s trace id');
select is((select job_type from bot_jobs where id = (pg_temp.doc('b1') ->> 'jobId')::uuid), 'BACKTEST_BASELINE',
          'the job is the kind the answer says');
select is(pg_temp.priority(pg_temp.doc('b1')), (select default_priority from job_kinds where kind = 'BACKTEST_BASELINE'),
          'a baseline gets its kind''s default priority');
select is(pg_temp.priority(pg_temp.doc('b2')), (select default_priority from job_kinds where kind = 'BACKTEST_REFRESH'),
          'a refresh gets its kind''s default priority');
select is((select reason_code from job_run_events where job_id = (pg_temp.doc('b1') ->> 'jobId')::uuid), 'TEST',
          'the job''s creation carries the reason');

insert into docs select 'again', api_enqueue_backtest(pg_temp.bot('Bot 1'), null, 'TEST');
select is(pg_temp.doc('again') ->> 'jobId', pg_temp.doc('b1') ->> 'jobId', 'a repeat finds the active job');
select is(pg_temp.doc('again') -> 'created', 'false'::jsonb, 'created false');
select is(pg_temp.doc('again') ->> 'reasonCode', 'ACTIVE_JOB_EXISTS', 'reason ACTIVE_JOB_EXISTS');

-- ---------------------------------------------------------------- a named type
select is(api_enqueue_backtest(pg_temp.bot('Bot 3'), 'BACKTEST_REFRESH', 'TEST') ->> 'type', 'BACKTEST_REFRESH',
          'a named backtest kind is used as given');
select throws_ok($$ select api_enqueue_backtest(pg_temp.bot('Bot 2'), 'EVOLVE', 'TEST') $$,
                 '22023', 'NOT_A_BACKTEST_KIND', 'a kind that is not a backtest is refused: 22023 NOT_A_BACKTEST_KIND');
select throws_ok($$ select api_enqueue_backtest(pg_temp.bot('Bot 2'), 'WHATEVER', 'TEST') $$,
                 '22023', 'NOT_A_BACKTEST_KIND', 'so is a name that is no kind at all');
select throws_ok($$ select api_enqueue_backtest(gen_random_uuid(), null, 'TEST') $$,
                 'P0002', 'BOT_NOT_FOUND', 'an unknown bot: P0002 BOT_NOT_FOUND');

-- ---------------------------------------------------------------- re-run lookup and forced evolve
select is(api_backtest_bot((select id from backtest_sessions where bot_id = pg_temp.bot('Bot 2'))), pg_temp.bot('Bot 2'),
          'api_backtest_bot: a session id gives its bot');
select is(api_backtest_bot(pg_temp.bot('Bot 3')), pg_temp.bot('Bot 3'), 'a bot id gives the bot');
select is(api_backtest_bot(gen_random_uuid()), null, 'anything else gives null');

insert into docs select 'evolve', api_enqueue_evolve(pg_temp.bot('Bot 5'));
select is(pg_temp.doc('evolve') - 'jobId' - 'traceId',
          jsonb_build_object('botId', pg_temp.bot('Bot 5'), 'type', 'EVOLVE', 'status', 'QUEUED', 'created', true,
                             'reasonCode', 'ENQUEUED'),
          'api_enqueue_evolve queues a forced EVOLVE');
select is((select (priority, payload)::text from bot_jobs where id = (pg_temp.doc('evolve') ->> 'jobId')::uuid),
          '(50,"{""forced"": true}")', 'at priority 50 with payload {"forced": true}');

select * from finish();
rollback;
