-- Puts a job in the queue, at most one active (QUEUED or RUNNING) job per bot and
-- type: the partial unique index bot_jobs_one_active decides, so two concurrent
-- calls cannot both create one. When one exists it is returned with
-- created = false, reason_code = 'ACTIVE_JOB_EXISTS'; a new job answers 'ENQUEUED'.
-- Writes job_run_events (null → QUEUED, reason p_reason), the feed event for the
-- types that have one (BACKTEST_QUEUED, IMPROVE_QUEUED, EVOLVE_QUEUED; NOOP has
-- none) and wakes workers with pg_notify('gauntlet_jobs', job_type).
-- Errors: unknown bot → P0002 BOT_NOT_FOUND; killed bot → P0001 BOT_KILLED;
-- unknown type → 23514 (CHECK); a bot-less job other than NOOP → 23514.
-- BACKTEST_QUEUED payload: {job_type, reason_code, priority, run_after, attempt}.
create or replace function enqueue_job(
    p_bot uuid,
    p_type text,
    p_priority int default 100,
    p_payload jsonb default '{}',
    p_run_after timestamptz default now(),
    p_reason text default 'REQUESTED'
) returns table (job_id uuid, created boolean, reason_code text)
language plpgsql volatile as $$
declare
    v_status text;
    v_id uuid;
begin
    if p_bot is not null then
        select b.status into v_status from bots b where b.id = p_bot;
        if not found then
            raise exception 'BOT_NOT_FOUND' using errcode = 'P0002', detail = format('no bot with id %s', p_bot);
        elsif v_status = 'KILLED' then
            raise exception 'BOT_KILLED' using errcode = 'P0001', detail = format('bot %s is KILLED; it takes no jobs', p_bot);
        end if;
    end if;

    -- Two tries: the active job we collide with may finish between the insert and the lookup.
    for i in 1..2 loop
        with ins as (
            insert into bot_jobs as j (bot_id, job_type, priority, payload, run_after)
            values (p_bot, p_type, coalesce(p_priority, 100), coalesce(p_payload, '{}'), coalesce(p_run_after, now()))
            on conflict (bot_id, job_type) where status in ('QUEUED', 'RUNNING') do nothing
            returning j.id, j.bot_id, j.job_type, j.trace_id, j.priority, j.run_after
        ), ev as (
            insert into job_run_events (job_id, from_status, to_status, reason_code, attempt, trace_id)
            select ins.id, null, 'QUEUED', p_reason, 0, ins.trace_id from ins
        ), feed as (
            insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
            select case ins.job_type when 'IMPROVE' then 'IMPROVE_QUEUED' when 'EVOLVE' then 'EVOLVE_QUEUED'
                                     else 'BACKTEST_QUEUED' end,
                   ins.bot_id, ins.id, ins.trace_id,
                   jsonb_build_object('job_type', ins.job_type, 'reason_code', p_reason, 'priority', ins.priority,
                                      'run_after', ins.run_after, 'attempt', 0)
            from ins where ins.job_type in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH', 'IMPROVE', 'EVOLVE')
        )
        select ins.id into v_id from ins;

        if v_id is not null then
            perform pg_notify('gauntlet_jobs', p_type);
            return query select v_id, true, 'ENQUEUED'::text;
            return;
        end if;

        select j.id into v_id from bot_jobs j
        where j.bot_id = p_bot and j.job_type = p_type and j.status in ('QUEUED', 'RUNNING');
        if v_id is not null then
            return query select v_id, false, 'ACTIVE_JOB_EXISTS'::text;
            return;
        end if;
    end loop;
    raise exception 'ENQUEUE_CONTENDED' using errcode = '40001',
        detail = 'the active job kept changing under us; retry';
end
$$;
