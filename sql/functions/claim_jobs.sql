-- Claims up to p_limit QUEUED jobs of p_types whose run_after has come, in
-- (priority, run_after, created_at) order, with FOR UPDATE SKIP LOCKED so any
-- number of workers can claim at once without blocking or double-claiming.
-- Claimed jobs become RUNNING with attempt + 1, started_at, worker_id and a lease
-- of settings.job_lease_seconds; each gets a job_run_events row (QUEUED → RUNNING,
-- reason CLAIMED) and backtests a BACKTEST_STARTED feed event
-- ({job_type, attempt, worker_id, lease_expires_at}).
--
-- Backtest types only: claims are serialised by an advisory lock so that at most
-- settings.backtest_concurrency backtests run fleet-wide, and none are claimed
-- while the 'backtest' circuit breaker is OPEN. An OPEN breaker whose closes_at
-- has passed is closed here first (CIRCUIT_CLOSED). Requests without backtest
-- types take no lock and read no breaker: the NOOP/other path is one statement.
-- Jobs of KILLED bots are never claimed.
create or replace function claim_jobs(p_worker text, p_types text[], p_limit int)
returns table (job_id uuid, bot_id uuid, job_type text, attempt int, trace_id uuid, payload jsonb,
               lease_expires_at timestamptz, archetype_slug text, instrument text, timeframe text,
               params jsonb, params_hash text, iteration int)
language plpgsql volatile as $$
#variable_conflict use_column
declare
    v_backtest_types constant text[] := array['BACKTEST_BASELINE', 'BACKTEST_REFRESH'];
    v_bt_types text[];
    v_other_types text[];
    v_lease interval;
    v_concurrency int;
    v_slots int := 0;
    v_claimed int := 0;
    v_rows int;
    v_types text[];
    v_n int;
    v_breaker circuit_breakers%rowtype;
begin
    if p_worker is null or p_worker = '' then
        raise exception 'WORKER_REQUIRED' using errcode = '22023';
    end if;
    if coalesce(p_limit, 0) <= 0 or p_types is null then
        return;
    end if;

    select array_agg(t) filter (where t = any(v_backtest_types)),
           array_agg(t) filter (where t <> all(v_backtest_types))
      into v_bt_types, v_other_types
      from unnest(p_types) as t;

    select make_interval(secs => coalesce(max((s.value #>> '{}')::numeric) filter (where s.key = 'job_lease_seconds'), 60)),
           coalesce(max((s.value #>> '{}')::int) filter (where s.key = 'backtest_concurrency'), 3)
      into v_lease, v_concurrency
      from settings s
     where s.key in ('job_lease_seconds', 'backtest_concurrency');

    if v_bt_types is not null then
        -- Serialise backtest claims so the running count cannot be raced past the limit.
        perform pg_advisory_xact_lock(7310412873920481873);  -- 'backtest claim'
        select * into v_breaker from circuit_breakers where name = 'backtest';
        if v_breaker.state = 'OPEN' and v_breaker.closes_at <= now() then
            update circuit_breakers
               set state = 'CLOSED', consecutive_failures = 0, streak_started_at = null, updated_at = now()
             where name = 'backtest';
            insert into activity_events (event_type, payload)
            values ('CIRCUIT_CLOSED', jsonb_build_object('breaker', 'backtest', 'opened_at', v_breaker.opened_at,
                                                         'closes_at', v_breaker.closes_at, 'reason_code', 'COOLDOWN_ELAPSED'));
            v_breaker.state := 'CLOSED';
        end if;
        if v_breaker.state is distinct from 'OPEN' then
            select v_concurrency - count(*) into v_slots
              from bot_jobs j
             where j.status = 'RUNNING' and j.job_type = any(v_backtest_types);
        end if;
    end if;

    for pass in 1..2 loop
        if pass = 1 then
            v_types := v_bt_types;
            v_n := least(v_slots, p_limit);
        else
            v_types := v_other_types;
            v_n := p_limit - v_claimed;
        end if;
        continue when v_types is null or v_n <= 0;

        return query
        with picked as (
            select j.id from bot_jobs j
             where j.status = 'QUEUED' and j.run_after <= now() and j.job_type = any(v_types)
               -- A KILLED bot takes no further jobs (kill_bot cancels them; this covers a direct UPDATE).
               and not exists (select 1 from bots kb where kb.id = j.bot_id and kb.status = 'KILLED')
             order by j.priority, j.run_after, j.created_at
             limit v_n
               for update skip locked
        ), claimed as (
            update bot_jobs j
               set status = 'RUNNING', attempt = j.attempt + 1, worker_id = p_worker, started_at = now(),
                   heartbeat_at = now(), lease_expires_at = now() + v_lease, updated_at = now()
              from picked
             where j.id = picked.id
            returning j.id, j.bot_id, j.job_type, j.attempt, j.trace_id, j.payload, j.lease_expires_at,
                      j.priority, j.run_after, j.created_at
        ), ev as (
            insert into job_run_events (job_id, from_status, to_status, reason_code, worker_id, attempt, trace_id)
            select c.id, 'QUEUED', 'RUNNING', 'CLAIMED', p_worker, c.attempt, c.trace_id from claimed c
        ), feed as (
            insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
            select 'BACKTEST_STARTED', c.bot_id, c.id, c.trace_id,
                   jsonb_build_object('job_type', c.job_type, 'attempt', c.attempt, 'worker_id', p_worker,
                                      'lease_expires_at', c.lease_expires_at)
              from claimed c where pass = 1
        )
        select c.id, c.bot_id, c.job_type, c.attempt, c.trace_id, c.payload, c.lease_expires_at,
               b.archetype_slug, b.instrument, b.timeframe, b.params, b.params_hash, b.iteration
          from claimed c left join bots b on b.id = c.bot_id
         order by c.priority, c.run_after, c.created_at;
        get diagnostics v_rows = row_count;
        v_claimed := v_claimed + v_rows;
    end loop;
end
$$;
