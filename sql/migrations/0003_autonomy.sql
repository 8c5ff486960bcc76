-- Autonomy: schedules and their runs (the pg_cron-style tick), planner runs and
-- per-bot decisions, autonomy scores, gate rules and streaks, stage events, the
-- per-bot metrics reset, and the settings the loop reads. The contract is
-- docs/autonomy.md; the stage machine is docs/state-machines.md.

-- ---------------------------------------------------------------- bots

-- A per-bot reset (reset_metrics with a scope); the effective reset of a bot is
-- the later of this and settings.metrics_reset_at.
alter table bots add column metrics_reset_at timestamptz;

-- ---------------------------------------------------------------- schedules

create table schedules (
    name             text primary key check (name ~ '^[a-z][a-z0-9_]*$'),
    interval_seconds int not null check (interval_seconds between 1 and 604800),
    next_due_at      timestamptz not null default now(),
    enabled          boolean not null default true,
    -- Called as `select <function_name>()`; a plain identifier, never an expression.
    function_name    text not null check (function_name ~ '^[a-z_][a-z0-9_]*$'),
    last_run_at      timestamptz,
    description      text not null default ''
);

insert into schedules (name, interval_seconds, function_name, description) values
    ('planner', 60, 'planner_tick', 'evaluates every active bot and enqueues what the policy asks for'),
    ('supervisor', 180, 'supervisor_tick', 'scores, invariant checks, gates and promotions'),
    ('lease_rescuer', 15, 'rescue_expired_leases', 'requeues or fails RUNNING jobs whose lease expired'),
    ('pruning', 86400, 'prune_history', 'deletes old schedule runs, planner decisions and score history');

create table schedule_runs (
    id            bigserial primary key,
    schedule_name text not null references schedules (name) on delete cascade,
    due_at        timestamptz not null,
    started_at    timestamptz not null default clock_timestamp(),
    finished_at   timestamptz,
    status        text not null default 'RUNNING' check (status in ('RUNNING', 'OK', 'FAILED', 'SKIPPED')),
    message       text,
    -- Two timers can never run one due slot twice.
    constraint schedule_runs_once unique (schedule_name, due_at)
);
create index schedule_runs_started on schedule_runs (started_at desc);

-- ---------------------------------------------------------------- planner

create table autonomy_planner_runs (
    id                  uuid primary key default gen_random_uuid(),
    started_at          timestamptz not null default clock_timestamp(),
    finished_at         timestamptz,
    bots_evaluated      int not null default 0 check (bots_evaluated >= 0),
    jobs_enqueued       int not null default 0 check (jobs_enqueued >= 0),
    blocked             int not null default 0 check (blocked >= 0),
    errors              int not null default 0 check (errors >= 0),
    -- Why a tick enqueued nothing (null when it enqueued something).
    summary_reason_code text check (summary_reason_code ~ '^[A-Z][A-Z0-9_]*$'),
    -- {"REASON_CODE": count, …} over this run's decisions.
    reasons             jsonb not null default '{}' check (jsonb_typeof(reasons) = 'object')
);
create index autonomy_planner_runs_started on autonomy_planner_runs (started_at desc);

create table autonomy_bot_decisions (
    id             bigserial primary key,
    planner_run_id uuid not null references autonomy_planner_runs (id) on delete cascade,
    bot_id         uuid not null references bots (id),
    decision       text not null check (decision in ('ENQUEUED', 'SKIPPED', 'BLOCKED')),
    job_type       text check (job_type in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH', 'IMPROVE', 'EVOLVE', 'GRID',
                                            'RUNNER_START')),
    job_id         uuid references bot_jobs (id) on delete set null,
    reason_code    text not null check (reason_code ~ '^[A-Z][A-Z0-9_]*$'),
    details        jsonb not null default '{}',
    created_at     timestamptz not null default now(),
    constraint autonomy_bot_decisions_enqueued_has_type check (decision <> 'ENQUEUED' or job_type is not null)
);
create index autonomy_bot_decisions_run on autonomy_bot_decisions (planner_run_id, decision);
create index autonomy_bot_decisions_bot on autonomy_bot_decisions (bot_id, created_at desc);
create index autonomy_bot_decisions_created on autonomy_bot_decisions (created_at);

-- ---------------------------------------------------------------- scores

create table autonomy_scores (
    id               bigserial primary key,
    bot_id           uuid not null references bots (id),
    computed_at      timestamptz not null default now(),
    data_reliability numeric not null check (data_reliability between 0 and 100),
    decision_quality numeric not null check (decision_quality between 0 and 100),
    risk_discipline  numeric not null check (risk_discipline between 0 and 100),
    execution_health numeric not null check (execution_health between 0 and 100),
    supervisor_trust numeric not null check (supervisor_trust between 0 and 100),
    total            numeric not null check (total between 0 and 100),
    tier             text not null check (tier in ('A', 'B', 'C', 'D')),
    inputs           jsonb not null default '{}'
);
create index autonomy_scores_bot on autonomy_scores (bot_id, computed_at desc, id desc);
create index autonomy_scores_computed on autonomy_scores (computed_at);

-- ---------------------------------------------------------------- gates

create table gate_rules (
    id                 serial primary key,
    from_stage         text not null check (from_stage in ('LAB', 'PAPER', 'SHADOW', 'CANARY')),
    to_stage           text not null check (to_stage in ('PAPER', 'SHADOW', 'CANARY', 'LIVE')),
    -- Metrics (definitions in sql/functions/gate_evaluations.sql):
    metric             text not null check (metric in ('trades_count', 'realized_pnl', 'profit_factor', 'pnl_or_pf',
                                                       'max_drawdown_pct', 'sharpe', 'sortino', 'win_rate',
                                                       'expectancy', 'sqn', 'last_run_ok', 'data_is_real',
                                                       'risk_engine_verified')),
    comparator         text not null check (comparator in ('>=', '>', '<=', '<', '=')),
    threshold          numeric not null,
    -- The rule also fails unless the evidence session ran on real (non-synthetic) data.
    requires_real_data boolean not null default false,
    enabled            boolean not null default true,
    description        text not null default '',
    suggested_fix      text not null default '',
    constraint gate_rules_next_stage check ((from_stage, to_stage) in (('LAB', 'PAPER'), ('PAPER', 'SHADOW'),
                                                                       ('SHADOW', 'CANARY'), ('CANARY', 'LIVE'))),
    constraint gate_rules_unique unique (from_stage, to_stage, metric)
);

insert into gate_rules (from_stage, to_stage, metric, comparator, threshold, requires_real_data, description, suggested_fix)
select f, t, m, c, th, rr, d, s
  from (values
    ('trades_count', '>=', 20::numeric, false, 'at least 20 trades in the latest effective backtest',
     'widen the backtest window or loosen the entry threshold so the strategy trades more'),
    ('pnl_or_pf', '>', 1.05, false,
     'realized PnL > 0, or profit factor above the threshold (actual = profit factor; passes when realized_pnl > 0)',
     'improve the edge: tighten entries, widen targets or cut losers sooner'),
    ('max_drawdown_pct', '<=', 25, false, 'max drawdown at most 25% of simulated equity (settings.simulated_equity)',
     'reduce position size or tighten the stop'),
    ('last_run_ok', '=', 1, false, 'no critical error in the last run: the latest finished job is not FAILED',
     'look at the failed job''s error_code and fix the data source or parameters')
  ) as r(m, c, th, rr, d, s)
 cross join (values ('LAB', 'PAPER'), ('PAPER', 'SHADOW')) as st(f, t);

insert into gate_rules (from_stage, to_stage, metric, comparator, threshold, requires_real_data, description, suggested_fix) values
    ('PAPER', 'SHADOW', 'data_is_real', '=', 1, true, 'the evidence session ran on real (non-synthetic) bars',
     'configure a market-data provider (Databento or Polygon) so backtests run on real bars'),
    ('PAPER', 'SHADOW', 'sharpe', '>', 0.5, true, 'Sharpe ratio above 0.5 on real data',
     'improve risk-adjusted returns: fewer, better trades'),
    ('PAPER', 'SHADOW', 'profit_factor', '>', 1.2, true, 'profit factor above 1.2 on real data',
     'improve the edge: gross profit must exceed gross loss by 20%'),
    ('SHADOW', 'CANARY', 'risk_engine_verified', '=', 1, false, 'RISK_ENGINE_UNVERIFIED: no live risk engine exists',
     'none: Gauntlet places no live orders; CANARY and LIVE stay fail-closed'),
    ('CANARY', 'LIVE', 'risk_engine_verified', '=', 1, false, 'RISK_ENGINE_UNVERIFIED: no live risk engine exists',
     'none: Gauntlet places no live orders; CANARY and LIVE stay fail-closed');

-- Consecutive supervisor cycles in which a bot failed its gates (for EVOLVE), and
-- the failures of the last evaluation (read by bot_now, so the badge costs no
-- gate evaluation).
create table bot_gate_streaks (
    bot_id            uuid primary key references bots (id),
    failed_cycles     int not null default 0 check (failed_cycles >= 0),
    last_evaluated_at timestamptz,
    next_stage        text,
    passed_all        boolean,
    last_failures     jsonb not null default '[]' check (jsonb_typeof(last_failures) = 'array'),
    blocked_since     timestamptz
);

-- The stage audit trail. The users' bulk revert (PROOFS.md §5) inserts into it
-- directly with (id, bot_id, from_stage, to_stage, reason_code, actor, created_at).
create table bot_stage_events (
    id          uuid primary key default gen_random_uuid(),
    bot_id      uuid not null references bots (id),
    from_stage  text not null check (from_stage in ('LAB', 'PAPER', 'SHADOW', 'CANARY', 'LIVE')),
    to_stage    text not null check (to_stage in ('LAB', 'PAPER', 'SHADOW', 'CANARY', 'LIVE')),
    reason_code text not null check (reason_code ~ '^[A-Z][A-Z0-9_]*$'),
    actor       text not null default 'system' check (actor <> ''),
    details     jsonb not null default '{}',
    created_at  timestamptz not null default now()
);
create index bot_stage_events_bot on bot_stage_events (bot_id, created_at desc);
create index bot_stage_events_created on bot_stage_events (created_at desc);

-- ---------------------------------------------------------------- indexes the ticks need

-- Latest effective completed session per bot (planner, supervisor, gates).
create index backtest_sessions_bot_completed_ok on backtest_sessions (bot_id, completed_at desc) where status = 'COMPLETED';
-- Proof of use: provider calls made under a session's trace.
create index integration_usage_events_trace on integration_usage_events (trace_id) where trace_id is not null;
-- Proofs: latest jobs, completed in the last hour.
create index bot_jobs_created on bot_jobs (created_at desc);
create index bot_jobs_finished on bot_jobs (finished_at desc) where finished_at is not null;
create index bot_jobs_active_type on bot_jobs (job_type, status) where status in ('QUEUED', 'RUNNING');

-- ---------------------------------------------------------------- feed event types

alter table activity_events drop constraint activity_events_event_type_check;
alter table activity_events add constraint activity_events_event_type_check check (event_type in (
    'STARTER_PACK_CREATED', 'BACKTEST_QUEUED', 'BACKTEST_STARTED', 'BACKTEST_COMPLETED', 'BACKTEST_FAILED',
    'AUTONOMY_SCORE_UPDATED', 'AUTONOMY_TIER_CHANGED', 'PROMOTED', 'DEMOTED', 'GRADUATED',
    'EVOLVED_GENERATION_CREATED', 'AUTONOMY_GATE_BLOCKED', 'KILL_TRIGGERED', 'METRICS_RESET',
    'STAGES_REVERTED', 'CIRCUIT_OPENED', 'CIRCUIT_CLOSED', 'IMPROVE_QUEUED', 'IMPROVE_COMPLETED',
    'EVOLVE_QUEUED', 'JOB_FAILED', 'JOB_CANCELLED', 'WORKER_STARTED', 'WORKER_STOPPED',
    'PROMOTION_RECOMMENDED', 'AUTONOMY_LOOP_TOGGLED'));

-- ---------------------------------------------------------------- settings

insert into settings (key, value, description) values
    ('loop_enabled', 'true', 'the planner enqueues nothing when false (LOOP_DISABLED)'),
    ('promotion_mode', '"AUTO"', 'AUTO applies promotions; RECOMMEND only records them (PROMOTION_RECOMMENDED)'),
    ('planner_backtest_target', '3', 'backtests kept queued+running across the fleet by the planner (0–100)'),
    ('baseline_stale_minutes', '60', 'a latest completed backtest older than this gets a BACKTEST_REFRESH'),
    ('bot_cooldown_seconds', '120', 'no new job for a bot whose last job finished less than this ago (COOLDOWN)'),
    ('evolve_after_failed_cycles', '3', 'consecutive supervisor cycles failing gates before EVOLVE'),
    ('evolve_score_below', '35', 'or a latest autonomy score total below this (0–100)'),
    ('evolve_per_tick', '2', 'at most this many EVOLVE jobs per planner tick'),
    ('improve_per_tick', '1', 'at most this many IMPROVE jobs per planner tick'),
    ('improve_after_backtests', '1', 'completed sessions (since reset) a bot needs before IMPROVE'),
    ('population_cap', '60', 'ACTIVE bots at most; EVOLVE is skipped at the cap (POPULATION_CAP)'),
    ('kill_drawdown_pct', '60', 'latest max drawdown % of starting equity at or past this kills the bot'),
    ('kill_after_failures', '5', 'consecutive FAILED backtest jobs that kill the bot'),
    ('metrics_reset_at', 'null', 'ISO timestamp; sessions completed before it are ignored by every effective metric'),
    ('simulated_equity', '50000', 'starting equity of the engine (drawdown share when a session lacks max_drawdown_pct)'),
    ('badge_persist_seconds', '180', 'a finished job''s badge state persists this long in bot_now'),
    ('supervisor_trust_window', '5', 'previous score rows whose total stability makes supervisor_trust (2–100)'),
    ('proof_stuck_minutes', '15', 'a RUNNING job started longer ago than this is listed as stuck by api_proof_jobs');

-- Ranges for the new keys (the 0002 keys keep theirs).
alter table settings drop constraint settings_value_in_range;
alter table settings add constraint settings_value_in_range check (
    case key
        when 'backtest_concurrency' then
            case when jsonb_typeof(value) = 'number' then value::numeric in (2, 3, 4) else false end
        when 'auto_kickoff_backtests' then jsonb_typeof(value) = 'boolean'
        when 'job_lease_seconds' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 5 and 86400 and value::numeric = trunc(value::numeric) else false end
        when 'retry_backoff_seconds' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 0 and 86400 and value::numeric = trunc(value::numeric) else false end
        when 'circuit_failure_threshold' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 1 and 1000 and value::numeric = trunc(value::numeric) else false end
        when 'circuit_window_minutes' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 1 and 10080 and value::numeric = trunc(value::numeric) else false end
        when 'circuit_cooldown_seconds' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 1 and 86400 and value::numeric = trunc(value::numeric) else false end
        when 'baseline_trading_days' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 1 and 260 and value::numeric = trunc(value::numeric) else false end
        when 'loop_enabled' then jsonb_typeof(value) = 'boolean'
        when 'promotion_mode' then value in ('"AUTO"', '"RECOMMEND"')
        when 'planner_backtest_target' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 0 and 100 and value::numeric = trunc(value::numeric) else false end
        when 'baseline_stale_minutes' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 1 and 525600 and value::numeric = trunc(value::numeric) else false end
        when 'bot_cooldown_seconds' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 0 and 86400 and value::numeric = trunc(value::numeric) else false end
        when 'evolve_after_failed_cycles' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 1 and 1000 and value::numeric = trunc(value::numeric) else false end
        when 'evolve_score_below' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 0 and 100 else false end
        when 'evolve_per_tick' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 0 and 100 and value::numeric = trunc(value::numeric) else false end
        when 'improve_per_tick' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 0 and 100 and value::numeric = trunc(value::numeric) else false end
        when 'improve_after_backtests' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 0 and 1000 and value::numeric = trunc(value::numeric) else false end
        when 'population_cap' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 1 and 1000000 and value::numeric = trunc(value::numeric) else false end
        when 'kill_drawdown_pct' then
            case when jsonb_typeof(value) = 'number' then value::numeric > 0 and value::numeric <= 100 else false end
        when 'kill_after_failures' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 1 and 1000 and value::numeric = trunc(value::numeric) else false end
        when 'metrics_reset_at' then
            jsonb_typeof(value) = 'null'
            or (jsonb_typeof(value) = 'string' and (value #>> '{}') ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}')
        when 'simulated_equity' then
            case when jsonb_typeof(value) = 'number' then value::numeric > 0 else false end
        when 'badge_persist_seconds' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 0 and 86400 and value::numeric = trunc(value::numeric) else false end
        when 'supervisor_trust_window' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 2 and 100 and value::numeric = trunc(value::numeric) else false end
        when 'proof_stuck_minutes' then
            case when jsonb_typeof(value) = 'number' then value::numeric between 1 and 10080 and value::numeric = trunc(value::numeric) else false end
        else true
    end);
