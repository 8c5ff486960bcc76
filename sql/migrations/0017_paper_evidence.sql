-- PAPER evidence feeds the gates (docs/paper.md, "Paper evidence"), and the runner
-- becomes a job the planner enqueues.
--   paper_sessions        one row per paper account and trading day (mode 'PAPER', the
--                         stream's data_source): trades, net PnL, wins, risk breaches,
--                         written in the same transactions as the fills and refusals
--   paper_fills.trade_pnl the whole trade's net PnL on the fill that flattens it
--   paper_accounts        the paper drawdown since the bot's evidence began
--   gate_rules            paper metrics; KEEP rules say which reason a demotion carries
--   job_kinds             RUNNER_START runs in `gauntlet runner` with a 30 s lease

create table paper_sessions (
    id                    uuid primary key default gen_random_uuid(),
    bot_id                uuid not null references bots (id),
    account_id            uuid not null references paper_accounts (id),
    trading_day           date not null,
    mode                  text not null default 'PAPER' check (mode = 'PAPER'),
    data_source           text not null check (data_source in ('synthetic', 'file', 'databento', 'polygon')),
    -- The bot's iteration when the day began: an adopted improvement starts new evidence.
    iteration             int not null check (iteration >= 0),
    trades_count          int not null default 0 check (trades_count >= 0),
    wins                  int not null default 0 check (wins >= 0 and wins <= trades_count),
    -- Σ net PnL of the trades closed this day (USD, commissions included).
    realized_pnl          numeric not null default 0,
    -- Refusals the bot's own orders caused (paper_risk_breach) and circuit-breaker trips.
    risk_breaches         int not null default 0 check (risk_breaches >= 0),
    circuit_breaker_trips int not null default 0 check (circuit_breaker_trips >= 0),
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now(),
    unique (account_id, trading_day)
);
create index paper_sessions_bot on paper_sessions (bot_id, created_at);

alter table paper_fills add column trade_pnl numeric;

-- The paper drawdown (peak-to-trough of real-data equity samples) since the bot's
-- paper evidence began (paper_evidence_since); sample_paper_equity keeps it.
alter table paper_accounts
    add column evidence_since   timestamptz,
    add column peak_equity      numeric,
    add column max_drawdown_usd numeric not null default 0 check (max_drawdown_usd >= 0);

alter table gate_rules drop constraint gate_rules_metric_check;
alter table gate_rules add constraint gate_rules_metric_check check (metric in (
    'trades_count', 'realized_pnl', 'profit_factor', 'pnl_or_pf', 'max_drawdown_pct', 'sharpe', 'sortino', 'win_rate',
    'expectancy', 'sqn', 'last_run_ok', 'data_is_real', 'risk_engine_verified', 'expectancy_ci_low', 'deflated_sharpe',
    'roster_active', 'paper_days', 'paper_trades', 'paper_risk_breaches', 'paper_expectancy_outside_ci',
    'paper_max_drawdown_pct'));

-- The reason code a failing KEEP rule demotes with (null on PROMOTE rules).
alter table gate_rules add column demotion_reason text check (demotion_reason ~ '^[A-Z][A-Z0-9_]*$');
update gate_rules set demotion_reason = 'KEEP_RULES_FAILED' where kind = 'KEEP';
alter table gate_rules add constraint gate_rules_keep_has_reason check ((kind = 'KEEP') = (demotion_reason is not null));

insert into gate_rules (kind, from_stage, to_stage, metric, comparator, threshold, demotion_reason, description, suggested_fix)
values
    ('PROMOTE', 'PAPER', 'SHADOW', 'paper_days', '>=', 5, null,
     'at least 5 paper trading days on real bars since the bot entered PAPER',
     'keep the runner trading the bot on a real-data stream (databento, polygon or a replay) until it has the days'),
    ('PROMOTE', 'PAPER', 'SHADOW', 'paper_trades', '>=', 10, null,
     'at least 10 paper trades closed on real bars since the bot entered PAPER',
     'keep paper trading: the bot needs more closed trades before its paper expectancy means anything'),
    ('PROMOTE', 'PAPER', 'SHADOW', 'paper_risk_breaches', '=', 0, null,
     'no risk breach on paper: no order refused by a limit the bot caused, no circuit-breaker trip',
     'find the refused orders (GET /api/orders?status=REJECTED) and fix the sizing or stops that broke the limits'),
    ('PROMOTE', 'PAPER', 'SHADOW', 'paper_expectancy_outside_ci', '<=', 0, null,
     'paper expectancy per trade inside the backtest''s 95% interval (actual = USD per trade outside it, 0 inside)',
     'the bot trades differently on paper than in research: compare its paper fills with the backtest''s trades'),
    ('KEEP', 'PAPER', 'LAB', 'paper_max_drawdown_pct', '<=', 30, 'PAPER_DRAWDOWN',
     'paper drawdown at most 30% of the paper account''s starting cash (the backtest KEEP rule''s threshold)',
     'the bot lost on paper what its backtest did not: research it again in LAB');

update job_kinds
   set executor = 'runner', lease_seconds = 30,
       description = 'trades one PAPER bot forward on paper in `gauntlet runner`: RUNNING while the bot trades, heartbeated every second'
 where kind = 'RUNNER_START';
