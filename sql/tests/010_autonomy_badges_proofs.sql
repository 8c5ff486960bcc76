-- Badges and proofs: bot_now states, labels (attempt, iteration) and elapsed_seconds,
-- persistence of a finished job's badge, gate blockers and the New flag; the
-- exact key sets of api_proof_autonomy and api_proof_jobs (PROOFS.md §4) and
-- their counts, including stuck RUNNING jobs.
begin;
select plan(48);

\ir fixtures/autonomy_fleet.sql
create function pg_temp.now_of(p_bot uuid) returns bot_now language sql as $$
    select * from bot_now where bot_id = p_bot $$;

select is(pg_temp.keys(to_jsonb(pg_temp.now_of(pg_temp.bot('Bot 1'))) - 'bot_id') @> array['elapsed_seconds', 'label'], true,
          'bot_now carries label and elapsed_seconds');

-- ---------------------------------------------------------------- states
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).state, 'IDLE', 'a bot with nothing going on is IDLE');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).label, null, 'with no label');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).elapsed_seconds, null, 'and no clock');

select enqueue_job(pg_temp.bot('Bot 1'), 'BACKTEST_BASELINE');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).state, 'BACKTEST_QUEUED', 'a queued backtest');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).label, 'Queued ×1', 'labelled Queued ×1');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).elapsed_seconds, null, 'a queued backtest has no elapsed_seconds');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).active_job_status, 'QUEUED', 'with its active job');

select claim_jobs('w1', '{BACKTEST_BASELINE}', 1);
update bot_jobs set started_at = now() - interval '65 seconds' where bot_id = pg_temp.bot('Bot 1');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).state, 'BACKTEST_RUNNING', 'a running backtest');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).label, 'Backtesting ×1', 'labelled with the attempt (no time in the label)');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).elapsed_seconds, 65::numeric, 'elapsed_seconds: 65 s since its start');
update bot_jobs set started_at = now() - interval '65.25 seconds' where bot_id = pg_temp.bot('Bot 1');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).elapsed_seconds, 65.25::numeric, 'fractional seconds are kept');
update bot_jobs set started_at = now() - interval '65 seconds' where bot_id = pg_temp.bot('Bot 1');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).since, now() - interval '65 seconds', 'since its start');

-- A retry: attempt 1 failed, the job waits for attempt 2.
select fail_job(j.id, 'w1', 1, 'PROVIDER_TIMEOUT', 'slow') from bot_jobs j where j.bot_id = pg_temp.bot('Bot 1');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).label, 'Queued ×2', 'a retry is Queued ×2');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).reason_code, 'PROVIDER_TIMEOUT', 'with the last error as its reason');

-- Finished: the badge persists badge_persist_seconds, then the bot is IDLE.
select cancel_job(j.id) from bot_jobs j where j.bot_id = pg_temp.bot('Bot 1');
update bot_jobs set started_at = now() - interval '200 seconds', finished_at = now() - interval '100 seconds'
 where bot_id = pg_temp.bot('Bot 1');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).state, 'BACKTEST_RUNNING', 'a job finished 100 s ago keeps its badge');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).label, 'Backtesting ×1', 'with the label it had while running');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).elapsed_seconds, 100::numeric, 'elapsed frozen at its run time (100 s)');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).active_job_id, null, 'but it is not an active job');
update bot_jobs set finished_at = now() - interval '181 seconds' where bot_id = pg_temp.bot('Bot 1');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).state, 'IDLE', 'after badge_persist_seconds (180) it is IDLE');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).since, now() - interval '181 seconds', 'idle since the job ended');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).elapsed_seconds, null, 'an idle bot has no elapsed_seconds');

select enqueue_job(pg_temp.bot('Bot 2'), 'IMPROVE');
select claim_jobs('w1', '{IMPROVE}', 1);
update bots set iteration = 3 where id = pg_temp.bot('Bot 2');
update bot_jobs set started_at = now() - interval '5 seconds' where bot_id = pg_temp.bot('Bot 2');
select is((pg_temp.now_of(pg_temp.bot('Bot 2'))).state, 'IMPROVING', 'an IMPROVE job');
select is((pg_temp.now_of(pg_temp.bot('Bot 2'))).label, 'Improving #4', 'labelled with the iteration being tried');
select is((pg_temp.now_of(pg_temp.bot('Bot 2'))).elapsed_seconds, 5::numeric, 'running for 5 s');

select enqueue_job(pg_temp.bot('Bot 3'), 'EVOLVE');
select is((pg_temp.now_of(pg_temp.bot('Bot 3'))).state, 'EVOLVING', 'an EVOLVE job');
select is((pg_temp.now_of(pg_temp.bot('Bot 3'))).label, 'Evolving', 'labelled Evolving');
select is((pg_temp.now_of(pg_temp.bot('Bot 3'))).elapsed_seconds, 0::numeric, 'queued just now: 0 s');
-- A RUNNING job wins over a QUEUED one.
select enqueue_job(pg_temp.bot('Bot 3'), 'BACKTEST_REFRESH');
select claim_jobs('w1', '{BACKTEST_REFRESH}', 1);
select is((pg_temp.now_of(pg_temp.bot('Bot 3'))).state, 'BACKTEST_RUNNING', 'running beats queued');

select enqueue_job(pg_temp.bot('Bot 4'), 'RUNNER_START');
select claim_jobs('w1', '{RUNNER_START}', 1);
select is((pg_temp.now_of(pg_temp.bot('Bot 4'))).state, 'RUNNER_RUNNING', 'a runner with a live heartbeat');
update bot_jobs set heartbeat_at = now() - interval '2 minutes' where bot_id = pg_temp.bot('Bot 4');
select is((pg_temp.now_of(pg_temp.bot('Bot 4'))).state, 'RUNNER_STALE', 'a runner whose heartbeat stopped');

-- Blocked by gates: the supervisor recorded failures.
select pg_temp.session(pg_temp.bot('Bot 5'), '{"trades_count": 3}');
select supervisor_tick();
select is((pg_temp.now_of(pg_temp.bot('Bot 5'))).state, 'BLOCKED_BY_GATES', 'a bot failing its gates');
select is((pg_temp.now_of(pg_temp.bot('Bot 5'))).gate_blockers -> 0 ->> 'metric', 'trades_count', 'lists its blockers');

-- New: under 10 minutes old, no backtest history.
update bots set created_at = now() - interval '2 minutes' where name in ('Bot 4', 'Bot 5');
select is((pg_temp.now_of(pg_temp.bot('Bot 4'))).is_new, true, 'a 2-minute-old bot without sessions is new');
select is((pg_temp.now_of(pg_temp.bot('Bot 5'))).is_new, false, 'one with a session is not');
select is((pg_temp.now_of(pg_temp.bot('Bot 1'))).is_new, false, 'a day-old bot is not');

-- ---------------------------------------------------------------- proofs
select planner_tick();
select is(pg_temp.keys(api_proof_autonomy()),
          array['lastDecisionSummary', 'lastTickAt', 'latestEnqueuedJobs', 'latestPlannerRuns', 'loopEnabled', 'now',
                'tickIntervalSec'], 'api_proof_autonomy has exactly the PROOFS.md keys');
select is(pg_temp.keys(api_proof_autonomy() -> 'lastDecisionSummary'),
          array['blocked', 'botsEvaluated', 'jobsEnqueued', 'reasonsTop'], 'lastDecisionSummary keys');
select is(pg_temp.keys(api_proof_autonomy() -> 'lastDecisionSummary' -> 'reasonsTop' -> 0), array['count', 'reasonCode'],
          'reasonsTop element keys');
select is(pg_temp.keys(api_proof_autonomy() -> 'latestPlannerRuns' -> 0),
          array['botsEvaluated', 'errors', 'finishedAt', 'id', 'jobsEnqueued', 'startedAt'], 'latestPlannerRuns element keys');
select is((api_proof_autonomy() ->> 'tickIntervalSec')::int, 60, 'tickIntervalSec is the planner interval');
select is((api_proof_autonomy() ->> 'lastTickAt')::timestamptz, (select max(started_at) from autonomy_planner_runs),
          'lastTickAt is the latest planner run');
-- Bot 5 (no job) gets a refresh? It has a fresh session; make its session stale so the tick enqueues.
update backtest_sessions set completed_at = now() - interval '2 hours', started_at = now() - interval '2 hours'
 where bot_id = pg_temp.bot('Bot 5');
select planner_tick();
select is(pg_temp.keys(api_proof_autonomy() -> 'latestEnqueuedJobs' -> 0),
          array['botId', 'createdAt', 'jobId', 'status', 'type'], 'latestEnqueuedJobs element keys');

update bot_jobs set started_at = now() - interval '20 minutes' where bot_id = pg_temp.bot('Bot 3') and status = 'RUNNING';
insert into bot_jobs (bot_id, job_type, status, attempt, started_at, finished_at)
values (pg_temp.bot('Bot 1'), 'EVOLVE', 'COMPLETED', 1, now() - interval '10 minutes', now() - interval '5 minutes'),
       (pg_temp.bot('Bot 1'), 'BACKTEST_REFRESH', 'COMPLETED', 1, now() - interval '3 hours', now() - interval '2 hours');
select is(pg_temp.keys(api_proof_jobs()), array['completedLast1h', 'queued', 'running', 'stuckRunningOverXmin'],
          'api_proof_jobs has exactly the PROOFS.md keys');
select results_eq($$select j.job_type, j.status, b.name from bot_jobs j join bots b on b.id = j.bot_id
                     where j.status in ('QUEUED', 'RUNNING') order by 1, 2, 3$$,
                  $$values ('BACKTEST_BASELINE', 'QUEUED', 'Bot 1'), ('BACKTEST_BASELINE', 'QUEUED', 'Bot 4'),
                           ('BACKTEST_REFRESH', 'RUNNING', 'Bot 3'),
                           ('EVOLVE', 'QUEUED', 'Bot 3'), ('IMPROVE', 'QUEUED', 'Bot 5'), ('IMPROVE', 'RUNNING', 'Bot 2'),
                           ('RUNNER_START', 'RUNNING', 'Bot 4')$$,
                  'the active jobs (the planner queued baselines for Bot 1 and Bot 4 — whose runner job does not make it busy — and an improvement for Bot 5)');
select is(api_proof_jobs() - 'stuckRunningOverXmin',
          '{"running": {"backtest": 1, "evolve": 0, "runner": 1, "improve": 1, "research": 0, "noop": 0},
            "queued": {"backtest": 2, "evolve": 1, "runner": 0, "improve": 1, "research": 0, "noop": 0},
            "completedLast1h": {"backtest": 0, "evolve": 1, "runner": 0, "improve": 0, "research": 0, "noop": 0}}',
          'counts by every kind''s proof_key (backtests = baseline + refresh), every key present; completions in the last hour');
select is(jsonb_array_length(api_proof_jobs() -> 'stuckRunningOverXmin'), 1,
          'one job RUNNING for more than 15 minutes (the IMPROVE started 5 s ago and the runner are not)');
select is((api_proof_jobs() -> 'stuckRunningOverXmin' -> 0) - 'jobId' - 'botId' - 'startedAt',
          '{"type": "BACKTEST_REFRESH", "ageMin": 20.0}', 'with its type and age in minutes');

select * from finish();
rollback;
