-- One home per rule. Before this migration the same rule lived in two to five
-- places across SQL and Swift (which job types are backtests, a setting's
-- default and range, a lock key, a bot's evidence) and three copies drifted
-- into bugs. Here each rule gets one home that everything else reads:
--   job_kinds          what each kind of job is (backtest or not, events, priority, lease, recorder)
--   job status events  written by a trigger on bot_jobs, never by callers
--   settings           each row carries its kind, range, default and description
--   advisory_locks     every advisory-lock key, named and documented
--   gate_rules.kind    KEEP rules beside PROMOTE rules (demotion with hysteresis)
-- Views and functions follow in sql/functions; the ones replaced here are dropped
-- so the re-applied files recreate them with their new shapes.

-- ---------------------------------------------------------------- replaced objects

drop view if exists bot_latest_backtest;
drop view if exists bot_effective_session cascade;  -- gate_evaluations, gate_status: recreated from bot_evidence
drop view if exists bot_now cascade;
drop function if exists elapsed_label(bigint);
drop function if exists complete_backtest(uuid, text, int, jsonb);
drop function if exists complete_job(uuid, text, int, jsonb);
drop function if exists complete_evolve(uuid, text, int, jsonb);
drop function if exists complete_improve(uuid, text, int, jsonb);
drop function if exists finish_leased_job(uuid, text, int, text[], text);
drop function if exists claim_jobs(text, text[], int);
drop function if exists transition_stage(uuid, text, text, text);
drop function if exists enqueue_missing_baselines(text);
drop function if exists enqueue_job(uuid, text, int, jsonb, timestamptz, text);
drop function if exists evaluate_gates(uuid);
drop function if exists api_bot_summary(bots);  -- now takes the bot's bot_now and bot_evidence rows

-- ---------------------------------------------------------------- job kinds

-- One row per kind of job. Adding a kind = one row here, one recorder function
-- (called by complete_leased_job) and one executor in a worker.
create table job_kinds (
    kind             text primary key check (kind ~ '^[A-Z][A-Z0-9_]*$'),
    -- Backtests share the fleet-wide concurrency limit and the 'backtest' circuit
    -- breaker, write their failure event on every failed attempt and a FAILED
    -- backtest_sessions row when they give up.
    is_backtest      boolean not null default false,
    -- The worker executor that runs it (gauntlet worker maps names to code); null: no worker runs it yet.
    executor         text check (executor ~ '^[a-z][a-z0-9_]*$'),
    -- complete_leased_job calls <recorder>(job bot_jobs, result jsonb) → jsonb; null: nothing to record.
    recorder         text check (recorder ~ '^[a-z][a-z0-9_]*$'),
    -- The key this kind is counted under in GET /api/_proof/jobs.
    proof_key        text not null check (proof_key ~ '^[a-z][a-zA-Z0-9]*$'),
    -- bot_now's badge family while a job of this kind is active; null: no badge.
    badge            text check (badge in ('BACKTEST', 'IMPROVING', 'EVOLVING', 'RUNNER')),
    -- activity_events written by the queue functions; null: none.
    queued_event     text check (queued_event ~ '^[A-Z][A-Z0-9_]*$'),
    started_event    text check (started_event ~ '^[A-Z][A-Z0-9_]*$'),
    completed_event  text check (completed_event ~ '^[A-Z][A-Z0-9_]*$'),
    failed_event     text check (failed_event ~ '^[A-Z][A-Z0-9_]*$'),
    default_priority int not null default 100 check (default_priority between 0 and 1000),
    -- Lease for a claim or heartbeat; null: settings.job_lease_seconds.
    lease_seconds    int check (lease_seconds between 5 and 86400),
    max_attempts     int not null default 3 check (max_attempts between 1 and 100),
    description      text not null check (description <> '')
);

insert into job_kinds (kind, is_backtest, executor, recorder, proof_key, badge, queued_event, started_event,
                       completed_event, failed_event, default_priority, description) values
    ('BACKTEST_BASELINE', true, 'backtest', 'record_backtest', 'backtest', 'BACKTEST', 'BACKTEST_QUEUED',
     'BACKTEST_STARTED', 'BACKTEST_COMPLETED', 'BACKTEST_FAILED', 50,
     'first evidence for a bot (or after a metrics reset): a backtest over the baseline window'),
    ('BACKTEST_REFRESH', true, 'backtest', 'record_backtest', 'backtest', 'BACKTEST', 'BACKTEST_QUEUED',
     'BACKTEST_STARTED', 'BACKTEST_COMPLETED', 'BACKTEST_FAILED', 100,
     'new evidence for a bot whose latest session went stale'),
    ('IMPROVE', false, 'improve', 'record_improvement', 'improve', 'IMPROVING', 'IMPROVE_QUEUED', null,
     'IMPROVE_COMPLETED', 'JOB_FAILED', 120,
     'one improvement iteration: a gentle mutation judged in and out of sample, adopted only if better on both'),
    ('EVOLVE', false, 'evolve', 'record_evolution', 'evolve', 'EVOLVING', 'EVOLVE_QUEUED', null,
     'EVOLVED_GENERATION_CREATED', 'JOB_FAILED', 120,
     'a next-generation child with mutated parameters'),
    ('GRID', false, null, null, 'research', 'BACKTEST', null, null, null, 'JOB_FAILED', 100,
     'plans a parameter-grid research run (no executor yet)'),
    ('RUNNER_START', false, null, null, 'runner', 'RUNNER', null, null, null, 'JOB_FAILED', 100,
     'starts a paper-trading runner (no executor yet)'),
    ('NOOP', false, 'noop', null, 'noop', null, null, null, null, null, 100,
     'does nothing; exists so the queue itself can be tested and benchmarked');

alter table bot_jobs drop constraint bot_jobs_job_type_check;
alter table bot_jobs add constraint bot_jobs_job_type_fkey foreign key (job_type) references job_kinds (kind);
alter table autonomy_bot_decisions drop constraint autonomy_bot_decisions_job_type_check;
alter table autonomy_bot_decisions add constraint autonomy_bot_decisions_job_type_fkey
    foreign key (job_type) references job_kinds (kind);
-- An array cannot reference a table; record_worker_heartbeat checks the names against job_kinds.
alter table worker_heartbeats drop constraint worker_heartbeats_job_types_check;

-- ---------------------------------------------------------------- job status events by trigger

-- Why the job is in its current status (the reason of its latest job_run_events
-- row) and that transition's details. Every function that changes a status sets
-- both in the same UPDATE; the triggers below turn the change into its event.
alter table bot_jobs add column status_reason text not null default 'ENQUEUED' check (status_reason ~ '^[A-Z][A-Z0-9_]*$');
alter table bot_jobs add column status_details jsonb not null default '{}' check (jsonb_typeof(status_details) = 'object');

-- A status change whose statement named no new reason (a DBA's direct UPDATE)
-- still gets an event, marked as such rather than inheriting the old reason.
create function bot_jobs_unexplained_status() returns trigger
language plpgsql as $$
begin
    new.status_reason := 'STATUS_SET_DIRECTLY';
    new.status_details := '{}';
    return new;
end
$$;

create trigger bot_jobs_unexplained_status
    before update of status on bot_jobs
    for each row
    when (old.status is distinct from new.status and old.status_reason is not distinct from new.status_reason)
    execute function bot_jobs_unexplained_status();

-- One job_run_events row per status change, in the same transaction. An insert
-- is one job (enqueue_job inserts one row per call), so its trigger is row-level;
-- updates move jobs in batches (a claim, a batch completion, the rescuer), so
-- theirs is statement-level over the transition tables: one insert per statement.
create function bot_jobs_enqueued_event() returns trigger
language plpgsql as $$
begin
    insert into job_run_events (job_id, from_status, to_status, reason_code, worker_id, attempt, trace_id, details)
    values (new.id, null, new.status, new.status_reason, new.worker_id, new.attempt, new.trace_id, new.status_details);
    return null;
end
$$;

create function bot_jobs_status_events() returns trigger
language plpgsql as $$
begin
    insert into job_run_events (job_id, from_status, to_status, reason_code, worker_id, attempt, trace_id, details)
    select n.id, o.status, n.status, n.status_reason, coalesce(n.worker_id, o.worker_id), n.attempt, n.trace_id,
           n.status_details
      from changed n join previous o on o.id = n.id
     where o.status is distinct from n.status
     order by n.id;
    return null;
end
$$;

create trigger bot_jobs_enqueued_event
    after insert on bot_jobs
    for each row execute function bot_jobs_enqueued_event();
create trigger bot_jobs_status_events
    after update on bot_jobs referencing old table as previous new table as changed
    for each statement execute function bot_jobs_status_events();

-- ---------------------------------------------------------------- settings: one definition each

-- Whether a value fits its setting's definition (used by both CHECKs below, so a
-- DBA's direct UPDATE is held to the same rule as set_setting).
create function setting_value_fits(p_kind text, p_value jsonb, p_min numeric, p_max numeric, p_allowed text[],
                                   p_nullable boolean)
returns boolean
language sql immutable as $$
    select case
        when p_value is null then false
        when jsonb_typeof(p_value) = 'null' then p_nullable
        when p_kind in ('integer', 'number') then
            jsonb_typeof(p_value) = 'number'
            and (p_kind = 'number' or p_value::numeric = trunc(p_value::numeric))
            and (p_min is null or p_value::numeric >= p_min)
            and (p_max is null or p_value::numeric <= p_max)
        when p_kind = 'boolean' then jsonb_typeof(p_value) = 'boolean'
        when p_kind = 'text' then
            jsonb_typeof(p_value) = 'string' and (p_allowed is null or (p_value #>> '{}') = any (p_allowed))
        when p_kind = 'timestamp' then
            jsonb_typeof(p_value) = 'string' and (p_value #>> '{}') ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}'
        else false
    end
$$;

alter table settings drop constraint settings_value_in_range;
alter table settings add column kind text;
alter table settings add column default_value jsonb;
alter table settings add column min_value numeric;
alter table settings add column max_value numeric;
alter table settings add column allowed text[];
alter table settings add column nullable boolean not null default false;

update settings s
   set kind = d.kind, default_value = d.dflt, min_value = d.lo, max_value = d.hi, allowed = d.allowed,
       nullable = d.nullable
  from (values
    ('schema_owner',              'text',      '"gauntlet"'::jsonb, null::numeric, null::numeric, null::text[], false),
    ('backtest_concurrency',      'integer',   '3',       2,    4,       null, false),
    ('auto_kickoff_backtests',    'boolean',   'true',    null, null,    null, false),
    ('job_lease_seconds',         'integer',   '60',      5,    86400,   null, false),
    ('retry_backoff_seconds',     'integer',   '10',      0,    86400,   null, false),
    ('circuit_failure_threshold', 'integer',   '3',       1,    1000,    null, false),
    ('circuit_window_minutes',    'integer',   '30',      1,    10080,   null, false),
    ('circuit_cooldown_seconds',  'integer',   '300',     1,    86400,   null, false),
    ('baseline_trading_days',     'integer',   '20',      1,    260,     null, false),
    ('loop_enabled',              'boolean',   'true',    null, null,    null, false),
    ('promotion_mode',            'text',      '"AUTO"',  null, null,    array['AUTO', 'RECOMMEND'], false),
    ('planner_backtest_target',   'integer',   '3',       0,    100,     null, false),
    ('baseline_stale_minutes',    'integer',   '60',      1,    525600,  null, false),
    ('bot_cooldown_seconds',      'integer',   '120',     0,    86400,   null, false),
    ('evolve_after_failed_cycles','integer',   '3',       1,    1000,    null, false),
    ('evolve_score_below',        'number',    '50',      0,    100,     null, false),
    ('evolve_per_tick',           'integer',   '2',       0,    100,     null, false),
    ('improve_per_tick',          'integer',   '1',       0,    100,     null, false),
    ('improve_after_backtests',   'integer',   '1',       0,    1000,    null, false),
    ('population_cap',            'integer',   '60',      1,    1000000, null, false),
    ('kill_drawdown_pct',         'number',    '60',      0.1,  100,     null, false),
    ('kill_after_failures',       'integer',   '5',       1,    1000,    null, false),
    ('metrics_reset_at',          'timestamp', 'null',    null, null,    null, true),
    ('simulated_equity',          'number',    '50000',   1000, 1000000000, null, false),
    ('badge_persist_seconds',     'integer',   '180',     0,    86400,   null, false),
    ('supervisor_trust_window',   'integer',   '5',       2,    100,     null, false),
    ('proof_stuck_minutes',       'integer',   '15',      1,    10080,   null, false)
  ) as d(key, kind, dflt, lo, hi, allowed, nullable)
 where s.key = d.key;

-- A setting this migration does not know (added by hand) keeps its value as its default.
update settings set kind = case jsonb_typeof(value) when 'number' then 'number' when 'boolean' then 'boolean'
                                                     else 'text' end,
                    default_value = value, nullable = jsonb_typeof(value) = 'null'
 where kind is null;

alter table settings alter column kind set not null;
alter table settings alter column default_value set not null;
alter table settings add constraint settings_kind check (kind in ('integer', 'number', 'boolean', 'text', 'timestamp'));
alter table settings add constraint settings_value_fits
    check (setting_value_fits(kind, value, min_value, max_value, allowed, nullable));
alter table settings add constraint settings_default_fits
    check (setting_value_fits(kind, default_value, min_value, max_value, allowed, nullable));
alter table settings add constraint settings_range_ordered check (min_value is null or max_value is null or min_value <= max_value);

-- ---------------------------------------------------------------- advisory locks

-- Every advisory-lock key the system takes, named. Code asks lock_key(name);
-- nobody writes a key literal (except gauntlet migrate, which locks before this
-- table can exist — its row documents that key).
create table advisory_locks (
    name        text primary key check (name ~ '^[a-z][a-z0-9_]*$'),
    key         bigint not null unique,
    scope       text not null check (scope in ('transaction', 'session')),
    description text not null check (description <> '')
);

insert into advisory_locks (name, key, scope, description) values
    ('migrate', 7449364375907624308, 'session',
     'gauntlet migrate: concurrent migrators take turns (the Swift constant Migrator.lockKey; taken before this table exists)'),
    ('backtest_claim', 7310412873920481873, 'transaction',
     'claim_jobs: serialises backtest claims so RUNNING backtests never exceed settings.backtest_concurrency'),
    ('planner_tick', 7310412873920481874, 'transaction',
     'planner_tick: one planner tick at a time'),
    ('supervisor_tick', 7310412873920481875, 'transaction',
     'supervisor_tick: one supervisor cycle at a time'),
    ('timer_leader', 7310412873920481876, 'session',
     'gauntlet timer: the leader holds it for its connection''s life; followers try it every tick (pg_try_advisory_lock). '
     'Never shared with a tick, so a manual select planner_tick() never waits for the timer process');

-- ---------------------------------------------------------------- keep rules (demotion)

-- PROMOTE rules lead from a stage to the next; KEEP rules say what a bot must keep
-- showing to stay in its stage (to_stage = where it is demoted to). KEEP rules are
-- looser than the promotion rules into that stage (hysteresis), so a bot that just
-- passed does not flap.
alter table gate_rules add column kind text not null default 'PROMOTE' check (kind in ('PROMOTE', 'KEEP'));
alter table gate_rules drop constraint gate_rules_next_stage;
alter table gate_rules drop constraint gate_rules_from_stage_check;
alter table gate_rules drop constraint gate_rules_to_stage_check;
alter table gate_rules add constraint gate_rules_stages check (
    (kind = 'PROMOTE' and (from_stage, to_stage) in (('LAB', 'PAPER'), ('PAPER', 'SHADOW'), ('SHADOW', 'CANARY'),
                                                     ('CANARY', 'LIVE')))
    or (kind = 'KEEP' and (from_stage, to_stage) in (('PAPER', 'LAB'), ('SHADOW', 'PAPER'))));

insert into gate_rules (kind, from_stage, to_stage, metric, comparator, threshold, description, suggested_fix)
select 'KEEP', f, t, m, c, th, d, s
  from (values
    ('profit_factor', '>=', 1.0::numeric, 'keeps its stage while profit factor stays at least 1.0 (promotion asked for more)',
     'the edge has gone: the bot is back in the earlier stage; improve or evolve it'),
    ('max_drawdown_pct', '<=', 30, 'keeps its stage while max drawdown stays within 30% of simulated equity (promotion asked for 25%)',
     'reduce position size or tighten the stop')
  ) as r(m, c, th, d, s)
 cross join (values ('PAPER', 'LAB'), ('SHADOW', 'PAPER')) as st(f, t);
