-- Jobs: instruments, archetypes, bots, the job queue and its audit trail,
-- backtest sessions and trades, provider usage, the activity feed, worker
-- heartbeats and the backtest circuit breaker. The contract is docs/jobs.md;
-- the state machine is docs/state-machines.md. Functions live in sql/functions.

-- ---------------------------------------------------------------- catalogue

create table instruments (
    symbol              text primary key check (symbol ~ '^[A-Z][A-Z0-9.]{0,15}$'),
    name                text not null check (name <> ''),
    tick_size           numeric not null check (tick_size > 0),
    multiplier          numeric not null check (multiplier > 0),
    -- USD per tick per contract; derived so it can never disagree with the two above.
    tick_value          numeric generated always as (tick_size * multiplier) stored,
    currency            text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
    commission_per_side numeric not null default 0 check (commission_per_side >= 0),
    exchange            text not null check (exchange <> ''),
    kind                text not null default 'future' check (kind in ('future', 'equity')),
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now()
);

create table archetypes (
    slug           text primary key check (slug ~ '^[a-z][a-z0-9_-]*$'),
    name           text not null check (name <> ''),
    family         text not null check (family <> ''),
    instrument     text not null references instruments (symbol),
    timeframe      text not null check (timeframe in ('1m', '5m', '15m', '1h')),
    default_params jsonb not null default '{}' check (jsonb_typeof(default_params) = 'object'),
    param_bounds   jsonb not null default '{}' check (jsonb_typeof(param_bounds) = 'object'),
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);
create index archetypes_instrument on archetypes (instrument);

create table bots (
    id                uuid primary key default gen_random_uuid(),
    name              text not null check (name <> ''),
    archetype_slug    text not null references archetypes (slug),
    instrument        text not null references instruments (symbol),
    timeframe         text not null check (timeframe in ('1m', '5m', '15m', '1h')),
    params            jsonb not null default '{}' check (jsonb_typeof(params) = 'object'),
    params_hash       text not null check (params_hash <> ''),
    stage             text not null default 'LAB'
                      check (stage in ('LAB', 'PAPER', 'SHADOW', 'CANARY', 'LIVE')),
    stage_updated_at  timestamptz not null default now(),
    stage_reason_code text check (stage_reason_code ~ '^[A-Z][A-Z0-9_]*$'),
    status            text not null default 'ACTIVE' check (status in ('ACTIVE', 'SUPERSEDED', 'KILLED')),
    pinned            boolean not null default false,
    generation        int not null default 1 check (generation >= 1),
    parent_bot_id     uuid references bots (id),
    origin            text not null default 'MANUAL' check (origin in ('STARTER', 'EVOLVED', 'MANUAL')),
    iteration         int not null default 0 check (iteration >= 0),
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    constraint bots_not_own_parent check (parent_bot_id is distinct from id)
);
-- One starter bot per archetype: seeding twice creates nothing.
create unique index bots_one_starter_per_archetype on bots (archetype_slug) where origin = 'STARTER';
create index bots_archetype on bots (archetype_slug);
create index bots_instrument on bots (instrument);
create index bots_parent on bots (parent_bot_id) where parent_bot_id is not null;
create index bots_created on bots (created_at desc);

-- ---------------------------------------------------------------- the queue

create table bot_jobs (
    id               uuid primary key default gen_random_uuid(),
    bot_id           uuid references bots (id),
    job_type         text not null check (job_type in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH', 'IMPROVE',
                                                       'EVOLVE', 'GRID', 'RUNNER_START', 'NOOP')),
    status           text not null default 'QUEUED'
                     check (status in ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'TIMEOUT', 'CANCELLED')),
    priority         int not null default 100 check (priority between 0 and 1000),
    attempt          int not null default 0 check (attempt >= 0),
    max_attempts     int not null default 3 check (max_attempts between 1 and 100),
    run_after        timestamptz not null default now(),
    payload          jsonb not null default '{}' check (jsonb_typeof(payload) = 'object'),
    worker_id        text,
    lease_expires_at timestamptz,
    heartbeat_at     timestamptz,
    trace_id         uuid not null default gen_random_uuid(),
    error_code       text check (error_code ~ '^[A-Z][A-Z0-9_]*$'),
    error_message    text,
    created_at       timestamptz not null default now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    updated_at       timestamptz not null default now(),
    constraint bot_jobs_bot_required check (bot_id is not null or job_type = 'NOOP'),
    constraint bot_jobs_attempt_bounded check (attempt <= max_attempts),
    constraint bot_jobs_running_has_lease check (
        status <> 'RUNNING' or (worker_id is not null and lease_expires_at is not null and started_at is not null
                                and attempt >= 1)),
    constraint bot_jobs_finished_iff_final check (
        (finished_at is not null) = (status in ('COMPLETED', 'FAILED', 'CANCELLED')))
);
-- At most one active job per bot and type (NOOP jobs without a bot are exempt: NULLs differ).
create unique index bot_jobs_one_active on bot_jobs (bot_id, job_type) where status in ('QUEUED', 'RUNNING');
-- The claim path: QUEUED rows in claim order.
create index bot_jobs_claim on bot_jobs (priority, run_after, created_at) where status = 'QUEUED';
-- The rescuer and the running-backtest count.
create index bot_jobs_running on bot_jobs (lease_expires_at) where status = 'RUNNING';
create index bot_jobs_bot on bot_jobs (bot_id, created_at desc) where bot_id is not null;

create table job_run_events (
    id          bigserial primary key,
    job_id      uuid not null references bot_jobs (id) on delete cascade,
    from_status text check (from_status in ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'TIMEOUT', 'CANCELLED')),
    to_status   text not null check (to_status in ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'TIMEOUT', 'CANCELLED')),
    reason_code text not null check (reason_code ~ '^[A-Z][A-Z0-9_]*$'),
    worker_id   text,
    attempt     int not null check (attempt >= 0),
    trace_id    uuid not null,
    details     jsonb not null default '{}',
    created_at  timestamptz not null default now(),
    constraint job_run_events_changes_status check (from_status is distinct from to_status)
);
create index job_run_events_job on job_run_events (job_id, id);

-- ---------------------------------------------------------------- results

create table backtest_sessions (
    id                  uuid primary key default gen_random_uuid(),
    bot_id              uuid not null references bots (id),
    -- A job records at most one session: a late result from a lost lease cannot record twice.
    job_id              uuid unique references bot_jobs (id),
    status              text not null check (status in ('COMPLETED', 'FAILED')),
    instrument          text not null references instruments (symbol),
    tick_size           numeric not null check (tick_size > 0),
    contract_multiplier numeric not null check (contract_multiplier > 0),
    timeframe           text not null check (timeframe in ('1m', '5m', '15m', '1h')),
    window_from         timestamptz,
    window_to           timestamptz,
    bars_tested         int check (bars_tested >= 0),
    data_source         text check (data_source in ('synthetic', 'file', 'databento', 'polygon')),
    data_fingerprint    text,
    params              jsonb not null default '{}',
    params_hash         text not null,
    iteration           int not null default 0 check (iteration >= 0),
    trades_count        int check (trades_count >= 0),
    realized_pnl        numeric,
    sharpe              double precision,
    sortino             double precision,
    max_drawdown_usd    double precision,
    max_drawdown_pct    double precision,
    profit_factor       double precision,
    win_rate            double precision check (win_rate between 0 and 1),
    expectancy          double precision,
    sqn                 double precision,
    metrics             jsonb,
    equity_curve        jsonb,
    engine_version      text,
    started_at          timestamptz not null,
    completed_at        timestamptz not null,
    duration_ms         double precision check (duration_ms >= 0),
    trace_id            uuid not null,
    error_code          text check (error_code ~ '^[A-Z][A-Z0-9_]*$'),
    error_message       text,
    created_at          timestamptz not null default now(),
    constraint backtest_sessions_window check (window_from is null or window_to is null or window_from <= window_to),
    constraint backtest_sessions_times check (completed_at >= started_at),
    -- A completed session carries the evidence the proofs read; a failed one says why.
    constraint backtest_sessions_completed_complete check (
        status <> 'COMPLETED' or (bars_tested is not null and data_source is not null and trades_count is not null
                                  and realized_pnl is not null and window_from is not null and window_to is not null
                                  and error_code is null)),
    constraint backtest_sessions_failed_has_error check (status <> 'FAILED' or error_code is not null)
);
create index backtest_sessions_bot_completed on backtest_sessions (bot_id, completed_at desc);
create index backtest_sessions_created on backtest_sessions (created_at desc);
create index backtest_sessions_completed on backtest_sessions (completed_at desc);

create table trade_logs (
    id          bigserial primary key,
    session_id  uuid not null references backtest_sessions (id) on delete cascade,
    bot_id      uuid not null references bots (id),
    seq         int not null check (seq >= 1),
    side        text not null check (side in ('LONG', 'SHORT')),
    contracts   int not null check (contracts >= 1),
    entry_time  timestamptz not null,
    entry_price numeric not null,  -- no sign check: futures can trade below zero (CL, April 2020)
    exit_time   timestamptz not null,
    exit_price  numeric not null,
    exit_reason text not null check (exit_reason in ('STOP', 'TARGET', 'TIME', 'SESSION_END', 'SIGNAL')),
    pnl         numeric not null,
    costs       numeric not null default 0 check (costs >= 0),
    created_at  timestamptz not null default now(),
    constraint trade_logs_exit_after_entry check (exit_time >= entry_time),
    constraint trade_logs_seq_unique unique (session_id, seq)
);
create index trade_logs_bot on trade_logs (bot_id, created_at desc);
create index trade_logs_created on trade_logs (created_at desc);

create table integration_usage_events (
    id            bigserial primary key,
    provider      text not null check (provider in ('synthetic', 'file', 'databento', 'polygon', 'ironbeam')),
    endpoint      text not null default '',
    status        text not null check (status ~ '^[A-Z][A-Z0-9_]*$'),
    http_status   int check (http_status between 100 and 599),
    latency_ms    double precision not null default 0 check (latency_ms >= 0),
    bars_returned int not null default 0 check (bars_returned >= 0),
    trace_id      uuid,
    job_id        uuid references bot_jobs (id) on delete set null,
    bot_id        uuid references bots (id),
    created_at    timestamptz not null default now()
);
create index integration_usage_events_created on integration_usage_events (created_at desc);
create index integration_usage_events_job on integration_usage_events (job_id) where job_id is not null;

-- ---------------------------------------------------------------- the feed

create table activity_events (
    id         bigserial primary key,
    event_type text not null check (event_type in (
        'STARTER_PACK_CREATED', 'BACKTEST_QUEUED', 'BACKTEST_STARTED', 'BACKTEST_COMPLETED', 'BACKTEST_FAILED',
        'AUTONOMY_SCORE_UPDATED', 'AUTONOMY_TIER_CHANGED', 'PROMOTED', 'DEMOTED', 'GRADUATED',
        'EVOLVED_GENERATION_CREATED', 'AUTONOMY_GATE_BLOCKED', 'KILL_TRIGGERED', 'METRICS_RESET',
        'STAGES_REVERTED', 'CIRCUIT_OPENED', 'CIRCUIT_CLOSED', 'IMPROVE_QUEUED', 'IMPROVE_COMPLETED',
        'EVOLVE_QUEUED', 'JOB_FAILED', 'JOB_CANCELLED', 'WORKER_STARTED', 'WORKER_STOPPED')),
    bot_id     uuid references bots (id),
    job_id     uuid references bot_jobs (id) on delete set null,
    trace_id   uuid,
    payload    jsonb not null default '{}' check (jsonb_typeof(payload) = 'object'),
    created_at timestamptz not null default now()
);
create index activity_events_created on activity_events (created_at desc);
create index activity_events_bot on activity_events (bot_id, created_at desc) where bot_id is not null;
create index activity_events_type on activity_events (event_type, created_at desc);
create index activity_events_job on activity_events (job_id) where job_id is not null;

-- ---------------------------------------------------------------- workers and the breaker

create table worker_heartbeats (
    worker_id    text primary key check (worker_id <> ''),
    hostname     text not null default '',
    pid          int check (pid > 0),
    slots        int not null default 1 check (slots >= 0),
    job_types    text[] not null default '{}'
                 check (job_types <@ array['BACKTEST_BASELINE', 'BACKTEST_REFRESH', 'IMPROVE', 'EVOLVE', 'GRID',
                                           'RUNNER_START', 'NOOP']),
    started_at   timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    status       text not null default 'RUNNING' check (status in ('RUNNING', 'STOPPED'))
);

create table circuit_breakers (
    name                 text primary key check (name in ('backtest')),
    state                text not null default 'CLOSED' check (state in ('CLOSED', 'OPEN')),
    consecutive_failures int not null default 0 check (consecutive_failures >= 0),
    -- First failure of the current streak: the threshold counts failures within the window from here.
    streak_started_at    timestamptz,
    last_failure_at      timestamptz,
    last_error_code      text,
    opened_at            timestamptz,
    closes_at            timestamptz,
    updated_at           timestamptz not null default now(),
    constraint circuit_breakers_open_has_times check (state <> 'OPEN' or (opened_at is not null and closes_at is not null))
);
insert into circuit_breakers (name) values ('backtest');

-- ---------------------------------------------------------------- settings

insert into settings (key, value, description) values
    ('backtest_concurrency', '3', 'backtests RUNNING at once, fleet-wide (2–4); claim_jobs enforces it'),
    ('auto_kickoff_backtests', 'true', 'seed_starter_pack enqueues a BACKTEST_BASELINE for bots missing one'),
    ('job_lease_seconds', '60', 'a RUNNING job whose heartbeat stops for this long is rescued (TIMEOUT → retry)'),
    ('retry_backoff_seconds', '10', 'first retry delay after a failure; doubles each attempt'),
    ('circuit_failure_threshold', '3', 'consecutive backtest failures (within the window) that open the breaker'),
    ('circuit_window_minutes', '30', 'the failures that open the breaker must fall within this many minutes'),
    ('circuit_cooldown_seconds', '300', 'an open backtest breaker closes after this many seconds'),
    ('baseline_trading_days', '20', 'trading days of bars a baseline backtest covers');

-- Ranges live in the table so a DBA's direct UPDATE is held to them too.
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
        else true
    end);
