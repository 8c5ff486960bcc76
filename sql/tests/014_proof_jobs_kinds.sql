-- GET /api/_proof/jobs (api_proof_jobs) counts every kind of job under its
-- job_kinds.proof_key, and every key is present in running, queued and
-- completedLast1h (0 when none). Before migration 0005 it had its own list of
-- kinds (backtest, evolve, runner) — a queued or running IMPROVE, a NOOP or a
-- GRID job was invisible in the proof, and the sums did not match the queue.
begin;
select plan(14);

\ir fixtures/autonomy_fleet.sql
create function pg_temp.total(p_doc jsonb) returns int language sql as $$
    select coalesce(sum(value::int), 0)::int from jsonb_each_text(p_doc) $$;

-- Running: one IMPROVE (Bot 2's, claimed first so the claim is unambiguous).
select job_id from enqueue_job(pg_temp.bot('Bot 2'), 'IMPROVE');
select job_id from claim_jobs('w1', '{IMPROVE}', 1);
-- Queued: one IMPROVE, one NOOP, one GRID (research), one RUNNER_START, one EVOLVE.
select job_id from enqueue_job(pg_temp.bot('Bot 1'), 'IMPROVE');
select job_id from enqueue_job(null, 'NOOP');
select job_id from enqueue_job(pg_temp.bot('Bot 3'), 'GRID');
select job_id from enqueue_job(pg_temp.bot('Bot 4'), 'RUNNER_START');
select job_id from enqueue_job(pg_temp.bot('Bot 5'), 'EVOLVE');
-- Finished: an IMPROVE and a backtest completed in the last hour count; an IMPROVE
-- completed two hours ago and a FAILED one do not.
insert into bot_jobs (bot_id, job_type, status, attempt, started_at, finished_at, created_at, error_code)
values (pg_temp.bot('Bot 3'), 'IMPROVE', 'COMPLETED', 1, now() - interval '6 minutes', now() - interval '5 minutes', now() - interval '7 minutes', null),
       (pg_temp.bot('Bot 3'), 'BACKTEST_REFRESH', 'COMPLETED', 1, now() - interval '9 minutes', now() - interval '8 minutes', now() - interval '9 minutes', null),
       (pg_temp.bot('Bot 4'), 'IMPROVE', 'COMPLETED', 1, now() - interval '3 hours', now() - interval '2 hours', now() - interval '3 hours', null),
       (pg_temp.bot('Bot 5'), 'IMPROVE', 'FAILED', 3, now() - interval '4 minutes', now() - interval '3 minutes', now() - interval '4 minutes', 'BOOM');

select is((api_proof_jobs() -> 'queued' ->> 'improve')::int, 1, 'a QUEUED IMPROVE job is counted: queued.improve = 1');
select is((api_proof_jobs() -> 'running' ->> 'improve')::int, 1, 'a RUNNING IMPROVE job is counted: running.improve = 1');
select is((api_proof_jobs() -> 'completedLast1h' ->> 'improve')::int, 1,
          'completedLast1h.improve counts the one COMPLETED in the last hour (not the old one, not the FAILED one)');
select is(api_proof_jobs() - 'stuckRunningOverXmin',
          '{"running":         {"backtest": 0, "evolve": 0, "improve": 1, "noop": 0, "research": 0, "runner": 0},
            "queued":          {"backtest": 0, "evolve": 1, "improve": 1, "noop": 1, "research": 1, "runner": 1},
            "completedLast1h": {"backtest": 1, "evolve": 0, "improve": 1, "noop": 0, "research": 0, "runner": 0}}',
          'every kind is counted under its proof key');
select is(pg_temp.total(api_proof_jobs() -> 'queued'), (select count(*)::int from bot_jobs where status = 'QUEUED'),
          'queued adds up to every QUEUED job');
select is(pg_temp.total(api_proof_jobs() -> 'running'), (select count(*)::int from bot_jobs where status = 'RUNNING'),
          'running adds up to every RUNNING job');
select is(pg_temp.total(api_proof_jobs() -> 'completedLast1h'),
          (select count(*)::int from bot_jobs where status = 'COMPLETED' and finished_at > now() - interval '1 hour'),
          'completedLast1h adds up to every job COMPLETED in the last hour');
select is(pg_temp.keys(api_proof_jobs() -> 'completedLast1h'),
          array['backtest', 'evolve', 'improve', 'noop', 'research', 'runner'],
          'completedLast1h has every key, 0 or not');

-- One home: the keys are job_kinds.proof_key.
select is(pg_temp.keys(api_proof_jobs() -> m), (select array_agg(distinct proof_key order by proof_key) from job_kinds),
          format('%s has exactly the job_kinds proof keys', m))
  from unnest(array['running', 'queued', 'completedLast1h']) m;
select is((select count(*)::int from job_kinds k
            where not (api_proof_jobs() -> 'running' ? k.proof_key and api_proof_jobs() -> 'queued' ? k.proof_key
                       and api_proof_jobs() -> 'completedLast1h' ? k.proof_key)), 0,
          'every job_kinds.proof_key is a key of running, queued and completedLast1h');
-- Adding a kind is one row: it shows up in the proof with no code change.
insert into job_kinds (kind, proof_key, description) values ('TEST_KIND', 'testKind', 'a kind added by this test');
select job_id from enqueue_job(pg_temp.bot('Bot 1'), 'TEST_KIND');
select is((api_proof_jobs() -> 'queued' ->> 'testKind')::int, 1, 'a new kind''s queued job is counted under its new key');
select is((api_proof_jobs() -> 'running' ->> 'testKind')::int, 0, 'and the key is present (0) where it has none');

select * from finish();
rollback;
