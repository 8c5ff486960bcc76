-- Claims up to p_limit QUEUED jobs of p_types whose run_after has come, in
-- (priority, run_after, created_at) order, with FOR UPDATE SKIP LOCKED so any
-- number of workers can claim at once without blocking or double-claiming.
-- Claimed jobs become RUNNING (reason CLAIMED; the bot_jobs trigger writes the
-- job_run_events row) with attempt + 1, started_at, worker_id and a lease of the
-- kind's lease_seconds (else settings.job_lease_seconds); kinds with a
-- started_event write it to the feed ({job_type, attempt, worker_id, lease_expires_at}).
--
-- Backtest kinds (job_kinds.is_backtest) only: claims are serialised by the
-- advisory lock 'backtest_claim' so that at most settings.backtest_concurrency
-- backtests run fleet-wide, and none are claimed while the 'backtest' circuit
-- breaker is OPEN. An OPEN breaker whose closes_at has passed is closed here
-- first (CIRCUIT_CLOSED). Requests without backtest kinds take no lock and read
-- no breaker. Jobs of KILLED bots are never claimed.
--
-- Each row carries what its executor needs, so an executor never reads bots or
-- settings itself: the bot's archetype, instrument, timeframe, params,
-- params_hash, iteration and generation; starting_equity
-- (settings.simulated_equity); baseline_trading_days; and, for IMPROVE, trials =
-- the candidates already recorded at the bot's next iteration; lease_seconds,
-- so the worker heartbeats well inside the lease; the walk-forward settings
-- (walk_forward_folds, walk_forward_mode, bootstrap_resamples,
-- bootstrap_block_sessions); and, for the backtest and improve executors,
-- lineage_trials (the deflated Sharpe ratio's trials); for EVOLVE, evolution =
-- {step_scale: evolve_step_scale, tried_params_hashes: lineage_params_hashes}.
create or replace function claim_jobs(p_worker text, p_types text[], p_limit int)
returns table (job_id uuid, bot_id uuid, job_type text, attempt int, trace_id uuid, payload jsonb,
               lease_expires_at timestamptz, archetype_slug text, instrument text, timeframe text,
               params jsonb, params_hash text, iteration int, generation int, starting_equity double precision,
               baseline_trading_days int, trials int, lease_seconds int, walk_forward_folds int,
               walk_forward_mode text, bootstrap_resamples int, bootstrap_block_sessions int, lineage_trials int,
               evolution jsonb)
-- One generic plan per session, not a custom plan per call (planning was four fifths
-- of a no-op claim). A queue swings from empty to thousands of jobs within seconds,
-- so that plan must not depend on the table's size when it was made: with
-- sequential scans off it walks the indexes (bot_jobs_claim in claim order, then
-- the primary key) whatever the size; a plan made on an empty table otherwise
-- scanned and sorted the whole queue on every later claim (27 ms at 20,000 jobs).
language plpgsql volatile security definer set search_path = public, pg_temp
set plan_cache_mode = force_generic_plan set enable_seqscan = off as $$
#variable_conflict use_column
declare
    v_bt_types text[];
    v_other_types text[];
    v_lease int;
    v_equity double precision;
    v_days int;
    v_folds int;
    v_mode text;
    v_resamples int;
    v_block int;
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

    select array_agg(k.kind) filter (where k.is_backtest), array_agg(k.kind) filter (where not k.is_backtest)
      into v_bt_types, v_other_types
      from job_kinds k where k.kind = any (p_types);
    v_lease := setting('job_lease_seconds')::int;
    v_equity := setting('simulated_equity')::double precision;
    v_days := setting('baseline_trading_days')::int;
    v_folds := setting('walk_forward_folds')::int;
    v_mode := setting('walk_forward_mode') #>> '{}';
    v_resamples := setting('bootstrap_resamples')::int;
    v_block := setting('bootstrap_block_sessions')::int;

    if v_bt_types is not null then
        -- Serialise backtest claims so the running count cannot be raced past the limit.
        perform pg_advisory_xact_lock(lock_key('backtest_claim'));
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
            select setting('backtest_concurrency')::int - count(*) into v_slots
              from bot_jobs j join job_kinds k on k.kind = j.job_type
             where j.status = 'RUNNING' and k.is_backtest;
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
        -- The picked ids are an array, not a CTE joined to bot_jobs: with v_n unknown
        -- (a generic plan) a join was planned for a tenth of the queue, a hash join
        -- over all of bot_jobs; an array is an index lookup per id.
        with claimed as (
            update bot_jobs j
               set status = 'RUNNING', attempt = j.attempt + 1, worker_id = p_worker, started_at = now(),
                   heartbeat_at = now(), updated_at = now(), status_reason = 'CLAIMED', status_details = '{}',
                   lease_expires_at = now() + make_interval(secs => coalesce(k.lease_seconds, v_lease))
              from job_kinds k
             where j.id = any (array(
                       select q.id from bot_jobs q
                        where q.status = 'QUEUED' and q.run_after <= now() and q.job_type = any(v_types)
                          -- A KILLED bot takes no further jobs (kill_bot cancels them; this covers a direct UPDATE).
                          and not exists (select 1 from bots kb where kb.id = q.bot_id and kb.status = 'KILLED')
                        order by q.priority, q.run_after, q.created_at
                        limit v_n
                          for update skip locked))
               and k.kind = j.job_type
            returning j.id, j.bot_id, j.job_type, j.attempt, j.trace_id, j.payload, j.lease_expires_at,
                      j.priority, j.run_after, j.created_at, k.started_event,
                      coalesce(k.lease_seconds, v_lease) as lease_seconds, k.executor
        ), feed as (
            insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
            select c.started_event, c.bot_id, c.id, c.trace_id,
                   jsonb_build_object('job_type', c.job_type, 'attempt', c.attempt, 'worker_id', p_worker,
                                      'lease_expires_at', c.lease_expires_at)
              from claimed c where c.started_event is not null
        )
        select c.id, c.bot_id, c.job_type, c.attempt, c.trace_id, c.payload, c.lease_expires_at,
               b.archetype_slug, b.instrument, b.timeframe, b.params, b.params_hash, b.iteration, b.generation,
               v_equity, v_days,
               case when c.job_type = 'IMPROVE' then
                   (select count(*)::int from backtest_sessions s join bot_jobs sj on sj.id = s.job_id
                     where s.bot_id = b.id and sj.job_type = 'IMPROVE' and s.iteration = b.iteration + 1) end,
               c.lease_seconds, v_folds, v_mode, v_resamples, v_block,
               case when c.executor in ('backtest', 'improve') and b.id is not null then lineage_trials(b.id) end,
               case when c.job_type = 'EVOLVE' and b.id is not null then
                   jsonb_build_object('step_scale', evolve_step_scale(b.id),
                                      'tried_params_hashes', to_jsonb(lineage_params_hashes(b.id))) end
          from claimed c left join bots b on b.id = c.bot_id
         order by c.priority, c.run_after, c.created_at;
        get diagnostics v_rows = row_count;
        v_claimed := v_claimed + v_rows;
    end loop;
end
$$;
