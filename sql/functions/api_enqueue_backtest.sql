-- POST /api/backtests and POST /api/backtests/:id/run: queues a backtest for a
-- bot through enqueue_job (at most one active job per bot and kind; the kind's
-- default priority; payload {}; reason p_reason).
--   p_type null  → decided from the bot's evidence (bot_evidence, the one
--                  definition): BACKTEST_BASELINE when it has none (session_id
--                  null: no completed session of its current iteration since
--                  its effective metrics reset), else BACKTEST_REFRESH. A bot
--                  whose only sessions predate a reset gets a baseline.
--   p_type given → must be a backtest kind (a job_kinds row with is_backtest).
-- Returns {"jobId", "botId", "type", "status", "created", "reasonCode", "traceId"}:
-- the new job (created true, reasonCode ENQUEUED, status QUEUED) or the bot's
-- active job of that kind (created false, reasonCode ACTIVE_JOB_EXISTS, its
-- current status).
-- Errors: p_type not a backtest kind → 22023 NOT_A_BACKTEST_KIND (detail lists
-- the backtest kinds); unknown bot → P0002 BOT_NOT_FOUND; killed bot → P0001
-- BOT_KILLED (both from enqueue_job).
create or replace function api_enqueue_backtest(p_bot uuid, p_type text, p_reason text) returns jsonb
language plpgsql volatile as $$
declare
    v_type text := p_type;
    v_job uuid;
    v_created boolean;
    v_reason text;
begin
    if v_type is null then
        select case when e.session_id is null then 'BACKTEST_BASELINE' else 'BACKTEST_REFRESH' end
          into v_type
          from bot_evidence e
         where e.bot_id = p_bot;
        -- No row: an unknown bot, which enqueue_job reports as BOT_NOT_FOUND.
        v_type := coalesce(v_type, 'BACKTEST_BASELINE');
    elsif not exists (select 1 from job_kinds k where k.kind = v_type and k.is_backtest) then
        raise exception 'NOT_A_BACKTEST_KIND' using errcode = '22023',
            detail = format('''%s'' is not one of %s', v_type,
                            (select string_agg(k.kind, ', ' order by k.kind) from job_kinds k where k.is_backtest)),
            hint = 'omit type to let the bot''s evidence decide, or pass a backtest kind (job_kinds.is_backtest)';
    end if;

    select e.job_id, e.created, e.reason_code into v_job, v_created, v_reason
      from enqueue_job(p_bot, v_type, null, '{}'::jsonb, now(), p_reason) e;
    -- A statement of its own: the job enqueue_job just inserted is visible from here on.
    return api_enqueued_job(v_job, v_created, v_reason);
end
$$;
