-- Puts a job in the queue, at most one active (QUEUED or RUNNING) job per bot and
-- type, through enqueue_jobs (the one home of what a new job is: its kind's
-- priority and max_attempts, its events, the workers' wake-up); the partial unique
-- index bot_jobs_one_active decides, so two concurrent calls cannot both create
-- one. When one exists it is returned with created = false, reason_code =
-- 'ACTIVE_JOB_EXISTS'; a new job answers 'ENQUEUED'.
-- Errors (from enqueue_jobs): unknown kind → 22023 UNKNOWN_JOB_KIND; unknown bot →
-- P0002 BOT_NOT_FOUND; killed bot → P0001 BOT_KILLED; a bot-less job other than
-- NOOP, GRID or RESEARCH_CELL → 23514.
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
    v_id uuid;
begin
    -- Two tries: the active job we collide with may finish between the insert and the lookup.
    for i in 1..2 loop
        select e.job_id into v_id
          from enqueue_jobs(p_type, array[coalesce(p_payload, '{}')], array[p_bot], p_priority, p_run_after, p_reason) e;
        if v_id is not null then
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
