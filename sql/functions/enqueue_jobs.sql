-- Puts jobs of one kind in the queue in one statement, one per element of
-- p_payloads, for the bot p_bots[i] (p_bots null, or a null element: a bot-less
-- job). The one home of what a new job is: enqueue_job calls it for one job.
-- At most one active (QUEUED or RUNNING) job per bot and kind: the partial unique
-- index bot_jobs_one_active decides, and a job that would collide is not created
-- (it is simply absent from the result). Priority (when p_priority is null) and
-- max_attempts come from the kind (job_kinds). Each new job's job_run_events row
-- (null → QUEUED, reason p_reason) is written by the bot_jobs trigger; the kind's
-- queued_event goes to the feed ({job_type, reason_code, priority, run_after,
-- attempt}); workers are woken once with pg_notify('gauntlet_jobs', p_type).
-- Returns (job_id, bot_id) of the jobs created.
-- Errors, with nothing written: unknown kind → 22023 UNKNOWN_JOB_KIND; p_bots not
-- as long as p_payloads → 22023 INVALID_PARAMETER; an unknown bot → P0002
-- BOT_NOT_FOUND; a killed bot → P0001 BOT_KILLED; a bot-less job other than NOOP,
-- GRID or RESEARCH_CELL → 23514.
create or replace function enqueue_jobs(
    p_type text,
    p_payloads jsonb[],
    p_bots uuid[] default null,
    p_priority int default null,
    p_run_after timestamptz default now(),
    p_reason text default 'REQUESTED'
) returns table (job_id uuid, bot_id uuid)
language plpgsql volatile as $$
#variable_conflict use_column
declare
    v_kind job_kinds%rowtype;
    v_bad record;
    v_created int;
begin
    select * into v_kind from job_kinds k where k.kind = p_type;
    if not found then
        raise exception 'UNKNOWN_JOB_KIND' using errcode = '22023',
            detail = format('%s is not a job kind', coalesce(p_type, 'null')),
            hint = 'the kinds are the rows of job_kinds';
    end if;
    if p_bots is not null and cardinality(p_bots) <> coalesce(cardinality(p_payloads), 0) then
        raise exception 'INVALID_PARAMETER' using errcode = '22023',
            detail = format('%s bots for %s payloads', cardinality(p_bots), coalesce(cardinality(p_payloads), 0));
    end if;
    if p_bots is not null then
        select x.id, b.status into v_bad
          from unnest(p_bots) x(id) left join bots b on b.id = x.id
         where x.id is not null and (b.id is null or b.status = 'KILLED')
         order by b.id is not null
         limit 1;
        if v_bad.id is not null and v_bad.status is null then
            raise exception 'BOT_NOT_FOUND' using errcode = 'P0002', detail = format('no bot with id %s', v_bad.id);
        elsif v_bad.id is not null then
            raise exception 'BOT_KILLED' using errcode = 'P0001', detail = format('bot %s is KILLED; it takes no jobs', v_bad.id);
        end if;
    end if;

    return query
    with ins as (
        insert into bot_jobs as j (bot_id, job_type, priority, max_attempts, payload, run_after, status_reason)
        select x.bot, p_type, coalesce(p_priority, v_kind.default_priority), v_kind.max_attempts,
               coalesce(x.payload, '{}'), coalesce(p_run_after, now()), p_reason
          from unnest(p_payloads, p_bots) with ordinality x(payload, bot, n)
         order by x.n
        on conflict (bot_id, job_type) where status in ('QUEUED', 'RUNNING') do nothing
        returning j.id, j.bot_id, j.job_type, j.trace_id, j.priority, j.run_after
    ), feed as (
        insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
        select v_kind.queued_event, ins.bot_id, ins.id, ins.trace_id,
               jsonb_build_object('job_type', ins.job_type, 'reason_code', p_reason, 'priority', ins.priority,
                                  'run_after', ins.run_after, 'attempt', 0)
          from ins where v_kind.queued_event is not null
    )
    select ins.id, ins.bot_id from ins;
    get diagnostics v_created = row_count;
    if v_created > 0 then
        perform pg_notify('gauntlet_jobs', p_type);
    end if;
end
$$;
