-- Parameter-grid research (docs/research.md): a run fans out into one RESEARCH_CELL
-- job per grid cell through the job queue; each cell's walk-forward result is a
-- research_rows row, scored and tagged in SQL (research_score,
-- research_penalty_tags); finish_research_run completes the run with the best
-- qualified row per (archetype, instrument).

-- A metric that is a number: never NaN or ±infinity (DESIGN §6).
create domain finite_double as double precision
    check (value is null or value not in ('NaN'::double precision, 'Infinity', '-Infinity'));

create table research_runs (
    id             uuid primary key default gen_random_uuid(),
    trigger        text not null check (trigger in ('MANUAL', 'WEEKLY')),
    iso_week       text not null check (iso_week ~ '^[0-9]{4}-W[0-9]{2}$'),
    window_start   date not null,
    window_end     date not null,
    -- {"archetypes": [slug, …], "instruments": [symbol, …]}
    scope          jsonb not null check (jsonb_typeof(scope) = 'object'),
    grid_spec      jsonb not null default '{}' check (jsonb_typeof(grid_spec) = 'object'),
    state          text not null default 'QUEUED' check (state in ('QUEUED', 'RUNNING', 'COMPLETED', 'ERROR')),
    progress_done  int not null default 0 check (progress_done >= 0),
    progress_total int not null default 0 check (progress_total >= 0),
    message        text,
    -- finish_research_run: {"ES": {row of the best qualified cell}, …}
    selection      jsonb not null default '{}' check (jsonb_typeof(selection) = 'object'),
    trace_id       uuid not null default gen_random_uuid(),
    created_at     timestamptz not null default now(),
    started_at     timestamptz,
    finished_at    timestamptz,
    constraint research_runs_window check (window_start < window_end),
    constraint research_runs_progress check (progress_done <= progress_total)
);
-- One run at a time: a second request finds the active one (RUN_IN_PROGRESS).
create unique index research_runs_one_active on research_runs ((true)) where state in ('QUEUED', 'RUNNING');
create index research_runs_finished on research_runs (state, finished_at desc);

create table research_rows (
    id                 bigserial primary key,
    run_id             uuid not null references research_runs (id) on delete cascade,
    cell               int not null check (cell >= 0),
    job_id             uuid references bot_jobs (id),
    status             text not null check (status in ('COMPLETED', 'FAILED')),
    archetype_slug     text not null,
    instrument         text not null,
    timeframe          text not null,
    params             jsonb not null check (jsonb_typeof(params) = 'object'),
    params_hash        text not null,
    -- The cell lies on a boundary of its archetype's band (edge_of_grid).
    grid_edge          boolean not null default false,
    data_source        text,
    -- Share of the window's sessions served by real bars (0 = synthetic only).
    real_share         finite_double check (real_share between 0 and 1),
    sessions_tested    int,
    trades             int check (trades >= 0),
    net_pnl            finite_double,
    return_pct         finite_double,
    sharpe             finite_double,
    in_sample_sharpe   finite_double,
    sortino            finite_double,
    profit_factor      finite_double,
    win_rate           finite_double,
    max_drawdown_usd   finite_double,
    max_drawdown_pct   finite_double,
    expectancy         finite_double,
    sharpe_ci_low      finite_double,
    sharpe_ci_high     finite_double,
    expectancy_ci_low  finite_double,
    expectancy_ci_high finite_double,
    deflated_sharpe    finite_double,
    trials             int,
    qualified          boolean not null default false,
    insufficient_data  boolean not null default true,
    score              numeric(8, 2),
    penalty_tags       text[] not null default '{}',
    error_code         text check (error_code ~ '^[A-Z][A-Z0-9_]*$'),
    error_message      text,
    created_at         timestamptz not null default now(),
    unique (run_id, cell),
    constraint research_rows_failed_has_error check (status = 'COMPLETED' or error_code is not null),
    constraint research_rows_completed_has_metrics check (status = 'FAILED' or (trades is not null and net_pnl is not null))
);
create index research_rows_run_score on research_rows (run_id, score desc nulls last);

insert into settings (key, value, description, kind, default_value, min_value, max_value, allowed, nullable) values
    ('research_min_trades', '10', 'out-of-sample trades a research row needs to be qualified (fewer: insufficient_data)',
     'integer', '10', 1, 100000, null, false),
    ('research_min_sessions', '60', 'sessions below which a research row is tagged few_sessions',
     'integer', '60', 1, 10000, null, false),
    ('research_max_cells', '64', 'grid cells per archetype and instrument at most',
     'integer', '64', 1, 4096, null, false),
    ('research_oos_decay', '1.0', 'in-sample minus out-of-sample Sharpe above which a row is tagged oos_decay',
     'number', '1.0', 0, 100, null, false);

update job_kinds set description = 'plans a parameter-grid research run: one RESEARCH_CELL job per grid cell'
 where kind = 'GRID';
insert into job_kinds (kind, is_backtest, executor, recorder, proof_key, badge, queued_event, started_event,
                       completed_event, failed_event, default_priority, description) values
    ('RESEARCH_CELL', false, 'research', 'record_research_cell', 'research', null, null, null, null, null, 150,
     'one grid cell of a research run: walk-forward research of one parameter set');
update job_kinds set executor = 'grid', recorder = 'record_research_plan' where kind = 'GRID';

-- Research jobs belong to a run, not to a bot.
alter table bot_jobs drop constraint bot_jobs_bot_required;
alter table bot_jobs add constraint bot_jobs_bot_required
    check (bot_id is not null or job_type in ('NOOP', 'GRID', 'RESEARCH_CELL'));
