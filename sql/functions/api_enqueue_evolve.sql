-- POST /api/bots/:id/evolve: forces an EVOLVE job for the bot now (the planner
-- would wait for its gates to fail evolve_after_failed_cycles cycles); a worker
-- then creates the Gen+1 bot. Enqueued through enqueue_job with priority 50,
-- payload {"forced": true}, reason FORCED_BY_API; at most one active EVOLVE per bot.
-- Returns {"jobId", "botId", "type": "EVOLVE", "status", "created", "traceId"}:
-- the new job (created true, status QUEUED) or the bot's active EVOLVE job
-- (created false, its current status).
-- Errors: unknown bot → P0002 BOT_NOT_FOUND; killed bot → P0001 BOT_KILLED
-- (both from enqueue_job).
create or replace function api_enqueue_evolve(p_bot uuid) returns jsonb
language plpgsql volatile as $$
declare
    v_job uuid;
    v_created boolean;
    v_doc jsonb;
begin
    select e.job_id, e.created into v_job, v_created
      from enqueue_job(p_bot, 'EVOLVE', 50, '{"forced": true}'::jsonb, now(), 'FORCED_BY_API') e;
    -- A statement of its own: the job enqueue_job just inserted is visible from here on.
    select jsonb_build_object('jobId', j.id, 'botId', p_bot, 'type', j.job_type, 'status', j.status,
                              'created', v_created, 'traceId', j.trace_id)
      into v_doc
      from bot_jobs j
     where j.id = v_job;
    return v_doc;
end
$$;
