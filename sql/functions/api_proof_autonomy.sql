-- GET /api/_proof/autonomy — exactly the PROOFS.md §4 shape:
--   {now, loopEnabled, lastTickAt, tickIntervalSec,
--    lastDecisionSummary: {botsEvaluated, jobsEnqueued, blocked, reasonsTop: [{reasonCode, count}]},
--    latestPlannerRuns: [{id, startedAt, finishedAt, botsEvaluated, jobsEnqueued, errors}],
--    latestEnqueuedJobs: [{jobId, botId, type, status, createdAt}]}
-- lastTickAt = the latest planner run's start (null before the first);
-- tickIntervalSec = the planner schedule's interval; lastDecisionSummary is the
-- latest planner run (zeros and [] before the first; reasonsTop = at most 5:
-- when the tick enqueued nothing its summary_reason_code first — e.g.
-- ALL_BOTS_COOLDOWN with count = bots evaluated — then its decisions' reason
-- counts, largest first; a LOOP_DISABLED tick shows LOOP_DISABLED);
-- latestPlannerRuns = the 10 latest runs; latestEnqueuedJobs = the 10 latest
-- jobs the planner enqueued, with their current status.
create or replace function api_proof_autonomy() returns jsonb
language plpgsql stable as $$
begin
    return (
        with last_run as (
            select * from autonomy_planner_runs order by started_at desc limit 1
        )
        select jsonb_build_object(
            'now', now(),
            'loopEnabled', setting('loop_enabled')::boolean,
            'lastTickAt', (select started_at from last_run),
            'tickIntervalSec', coalesce((select interval_seconds from schedules where name = 'planner'), 60),
            'lastDecisionSummary', jsonb_build_object(
                'botsEvaluated', coalesce((select bots_evaluated from last_run), 0),
                'jobsEnqueued', coalesce((select jobs_enqueued from last_run), 0),
                'blocked', coalesce((select blocked from last_run), 0),
                'reasonsTop', coalesce((
                    select jsonb_agg(jsonb_build_object('reasonCode', r.key, 'count', r.n) order by r.ord, r.n desc, r.key)
                      from (select * from (
                                -- a tick that enqueued nothing says why first (ALL_BOTS_COOLDOWN, …)
                                select 0 as ord, lr.summary_reason_code as key, lr.bots_evaluated as n
                                  from last_run lr
                                 where lr.summary_reason_code is not null and not lr.reasons ? lr.summary_reason_code
                                union all
                                select 1, e.key, (e.value #>> '{}')::int
                                  from last_run lr, jsonb_each(lr.reasons) e) u
                             order by ord, n desc, key limit 5) r), '[]')),
            'latestPlannerRuns', coalesce((
                select jsonb_agg(jsonb_build_object('id', p.id, 'startedAt', p.started_at, 'finishedAt', p.finished_at,
                                                    'botsEvaluated', p.bots_evaluated, 'jobsEnqueued', p.jobs_enqueued,
                                                    'errors', p.errors) order by p.started_at desc)
                  from (select * from autonomy_planner_runs order by started_at desc limit 10) p), '[]'),
            'latestEnqueuedJobs', coalesce((
                select jsonb_agg(jsonb_build_object('jobId', j.id, 'botId', j.bot_id, 'type', j.job_type,
                                                    'status', j.status, 'createdAt', j.created_at)
                                 order by j.created_at desc, j.id)
                  from (select j.* from autonomy_bot_decisions d join bot_jobs j on j.id = d.job_id
                         where d.decision = 'ENQUEUED'
                         order by d.created_at desc, d.id desc limit 10) j), '[]'))
    );
end
$$;
