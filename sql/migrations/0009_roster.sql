-- The roster policy (docs/research.md, "Roster"): after each WEEKLY research run,
-- every (archetype, instrument) the run covered is kept, watched or disabled by
-- fixed rules (apply_roster_policy); a DISABLED pair's bots are neither researched
-- by the planner nor promoted (gate rule roster_active) until a weekly run passes.

create table roster (
    archetype_slug text not null references archetypes (slug),
    instrument     text not null references instruments (symbol),
    state          text not null default 'ACTIVE' check (state in ('ACTIVE', 'WATCH', 'DISABLED')),
    -- Consecutive weekly runs below both the Sharpe and the profit-factor thresholds.
    weeks_failing  int not null default 0 check (weeks_failing >= 0),
    recommendation text,
    last_run_id    uuid references research_runs (id),
    -- The weekly run's best row for the pair, as judged.
    evidence       jsonb not null default '{}' check (jsonb_typeof(evidence) = 'object'),
    updated_at     timestamptz not null default now(),
    primary key (archetype_slug, instrument)
);

create table roster_history (
    id             bigserial primary key,
    archetype_slug text not null,
    instrument     text not null,
    from_state     text,
    to_state       text not null check (to_state in ('ACTIVE', 'WATCH', 'DISABLED')),
    weeks_failing  int not null,
    run_id         uuid references research_runs (id),
    evidence       jsonb not null default '{}',
    created_at     timestamptz not null default now()
);
create index roster_history_pair on roster_history (archetype_slug, instrument, created_at desc);

insert into settings (key, value, description, kind, default_value, min_value, max_value, allowed, nullable) values
    ('roster_min_trades', '20', 'out-of-sample trades a pair''s weekly best row needs to be kept', 'integer', '20', 1, 100000, null, false),
    ('roster_min_sharpe', '0.5', 'out-of-sample Sharpe a pair''s weekly best row must exceed to be kept', 'number', '0.5', -10, 10, null, false),
    ('roster_min_profit_factor', '1.2', 'profit factor a pair''s weekly best row must exceed to be kept', 'number', '1.2', 0, 100, null, false),
    ('roster_disable_after_weeks', '2', 'consecutive weekly runs below both thresholds that disable a pair', 'integer', '2', 1, 52, null, false);

alter table activity_events drop constraint activity_events_event_type_check;
alter table activity_events add constraint activity_events_event_type_check check (event_type in (
    'STARTER_PACK_CREATED', 'BACKTEST_QUEUED', 'BACKTEST_STARTED', 'BACKTEST_COMPLETED', 'BACKTEST_FAILED',
    'AUTONOMY_SCORE_UPDATED', 'AUTONOMY_TIER_CHANGED', 'PROMOTED', 'DEMOTED', 'GRADUATED',
    'EVOLVED_GENERATION_CREATED', 'AUTONOMY_GATE_BLOCKED', 'KILL_TRIGGERED', 'METRICS_RESET',
    'STAGES_REVERTED', 'CIRCUIT_OPENED', 'CIRCUIT_CLOSED', 'IMPROVE_QUEUED', 'IMPROVE_COMPLETED',
    'EVOLVE_QUEUED', 'JOB_FAILED', 'JOB_CANCELLED', 'WORKER_STARTED', 'WORKER_STOPPED',
    'PROMOTION_RECOMMENDED', 'AUTONOMY_LOOP_TOGGLED', 'EVOLUTION_ACCEPTED', 'EVOLUTION_REJECTED',
    'ROSTER_KEPT', 'ROSTER_WATCH', 'ROSTER_DISABLED', 'ROSTER_REENABLED'));

alter table gate_rules drop constraint gate_rules_metric_check;
alter table gate_rules add constraint gate_rules_metric_check check (metric in (
    'trades_count', 'realized_pnl', 'profit_factor', 'pnl_or_pf', 'max_drawdown_pct', 'sharpe', 'sortino', 'win_rate',
    'expectancy', 'sqn', 'last_run_ok', 'data_is_real', 'risk_engine_verified', 'expectancy_ci_low', 'deflated_sharpe',
    'roster_active'));
insert into gate_rules (kind, from_stage, to_stage, metric, comparator, threshold, description, suggested_fix)
select 'PROMOTE', f, t, 'roster_active', '=', 1,
       'the roster has not disabled this archetype on this instrument',
       'the weekly research disabled this pair (two weeks below the Sharpe and profit-factor thresholds): a passing weekly run re-enables it'
  from (values ('LAB', 'PAPER'), ('PAPER', 'SHADOW')) as st(f, t);
