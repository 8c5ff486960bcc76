-- The API's answer for a job it asked enqueue_job for (POST /api/backtests,
-- /api/backtests/:id/run, /api/bots/:id/evolve): {"jobId", "botId", "type",
-- "status", "created", "reasonCode", "traceId"} — the new job (created true,
-- status QUEUED) or the bot's active job of that kind (created false, its
-- current status). Call it in a statement after the enqueue, so the new row is visible.
create or replace function api_enqueued_job(p_job uuid, p_created boolean, p_reason text) returns jsonb
language plpgsql stable as $$
begin
    return (
        select jsonb_build_object('jobId', j.id, 'botId', j.bot_id, 'type', j.job_type, 'status', j.status,
                                  'created', p_created, 'reasonCode', p_reason, 'traceId', j.trace_id)
          from bot_jobs j
         where j.id = p_job
    );
end
$$;
