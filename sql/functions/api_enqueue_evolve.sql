-- POST /api/bots/:id/evolve: forces an EVOLVE job for the bot now (the planner
-- would wait for its gates to fail evolve_after_failed_cycles cycles); a worker
-- then creates the Gen+1 bot. Enqueued through enqueue_job with priority 50,
-- payload {"forced": true}, reason FORCED_BY_API; at most one active EVOLVE per bot.
-- Returns api_enqueued_job's document.
-- Errors: unknown bot → P0002 BOT_NOT_FOUND; killed bot → P0001 BOT_KILLED
-- (both from enqueue_job).
create or replace function api_enqueue_evolve(p_bot uuid) returns jsonb
language plpgsql volatile as $$
declare
    v_job uuid;
    v_created boolean;
    v_reason text;
begin
    select e.job_id, e.created, e.reason_code into v_job, v_created, v_reason
      from enqueue_job(p_bot, 'EVOLVE', 50, '{"forced": true}'::jsonb, now(), 'FORCED_BY_API') e;
    -- A statement of its own: the job enqueue_job just inserted is visible from here on.
    return api_enqueued_job(v_job, v_created, v_reason);
end
$$;
