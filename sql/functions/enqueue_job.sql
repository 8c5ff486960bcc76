-- Puts a job in the queue, at most one active (QUEUED or RUNNING) job per bot and
-- type: the partial unique index bot_jobs_one_active decides, so two concurrent
-- calls cannot both create one. When one exists it is returned with
-- created = false, reason_code = 'ACTIVE_JOB_EXISTS'; a new job answers 'ENQUEUED'.
-- Priority (when p_priority is null) and max_attempts come from the job's kind
-- (job_kinds). The job_run_events row (null → QUEUED, reason p_reason) is written
-- by the bot_jobs trigger; the kind's queued_event goes to the feed
-- ({job_type, reason_code, priority, run_after, attempt}); workers are woken with
-- pg_notify('gauntlet_jobs', job_type).
-- Errors: unknown kind → 22023 UNKNOWN_JOB_KIND; unknown bot → P0002
-- BOT_NOT_FOUND; killed bot → P0001 BOT_KILLED; a bot-less job other than NOOP, GRID or
-- RESEARCH_CELL → 23514.
create or replace function enqueue_job(
    p_bot uuid,
    p_type text,
    p_priority int default null,
    p_payload jsonb default '{}',
    p_run_after timestamptz default now(),
    p_reason text default 'REQUESTED'
) returns table (job_id uuid, created boolean, reason_code text)
language plpgsql volatile as $$
declare
    v_kind job_kinds%rowtype;
    v_status text;
    v_id uuid;
begin
    select * into v_kind from job_kinds k where k.kind = p_type;
    if not found then
        raise exception 'UNKNOWN_JOB_KIND' using errcode = '22023',
            detail = format('%s is not a job kind', coalesce(p_type, 'null')),
            hint = 'the kinds are the rows of job_kinds';
    end if;
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
            insert into bot_jobs as j (bot_id, job_type, priority, max_attempts, payload, run_after, status_reason)
            values (p_bot, p_type, coalesce(p_priority, v_kind.default_priority), v_kind.max_attempts,
                    coalesce(p_payload, '{}'), coalesce(p_run_after, now()), p_reason)
            on conflict (bot_id, job_type) where status in ('QUEUED', 'RUNNING') do nothing
            returning j.id, j.bot_id, j.job_type, j.trace_id, j.priority, j.run_after
        ), feed as (
            insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
            select v_kind.queued_event, ins.bot_id, ins.id, ins.trace_id,
                   jsonb_build_object('job_type', ins.job_type, 'reason_code', p_reason, 'priority', ins.priority,
                                      'run_after', ins.run_after, 'attempt', 0)
              from ins where v_kind.queued_event is not null
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
