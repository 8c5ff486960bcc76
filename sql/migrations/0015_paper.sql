-- The PAPER stage's ledger and its hard risk limits (issue 12, first part;
-- docs/paper.md): paper accounts (one per bot), their risk limits per environment,
-- the kill switch, runner sessions, orders with every lifecycle transition, fills,
-- positions and equity samples. The rules that judge an order are one SQL function
-- (paper_order_risk), called by submit_paper_order in the order's own transaction.
-- LIVE stays fail-closed: an order for the live environment is always rejected.

-- Initial margin per contract: the instrument spec's default (Swift Instruments.all,
-- seeded by seed_starter_pack), which a DBA may change to the broker's figure. An
-- instrument without one cannot be traded on paper (MARGIN_UNKNOWN).
alter table instruments add column initial_margin numeric check (initial_margin > 0);

create table paper_accounts (
    id                 uuid primary key default gen_random_uuid(),
    name               text not null unique check (name ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$'),
    -- The bot this account trades for (one account per bot); null for a manual account.
    bot_id             uuid unique references bots (id),
    starting_cash      numeric not null check (starting_cash > 0),
    -- Realised PnL and fees are booked into cash as fills happen.
    cash               numeric not null,
    -- The runner opens each session day with begin_paper_day (the CME calendar is the
    -- runner's): the day's loss limits are measured from day_start_equity.
    trading_day        date,
    day_start_equity   numeric,
    -- The trading circuit breaker: no new entries while halted_day = trading_day.
    halted_day         date,
    halt_reason        text,
    consecutive_losses int not null default 0 check (consecutive_losses >= 0),
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now()
);

-- Hard limits per account and environment; the defaults suit one bot trading one
-- or two contracts on a $50,000 account. Every column is checked here, so a row
-- that exists is a valid set of limits ("validated on load" by construction).
create table risk_limits (
    account_id             uuid not null references paper_accounts (id) on delete cascade,
    env                    text not null check (env in ('paper', 'live')),
    max_position_contracts int not null default 2 check (max_position_contracts >= 1),
    max_notional_usd       numeric not null default 1000000 check (max_notional_usd > 0),
    max_daily_loss_usd     numeric not null default 1500 check (max_daily_loss_usd > 0),
    max_daily_loss_pct     numeric not null default 3 check (max_daily_loss_pct > 0 and max_daily_loss_pct <= 100),
    max_loss_per_trade_usd numeric not null default 750 check (max_loss_per_trade_usd > 0),
    max_orders_per_minute  int not null default 10 check (max_orders_per_minute >= 1),
    max_errors_per_session int not null default 5 check (max_errors_per_session >= 0),
    min_reward_risk        numeric not null default 0.5 check (min_reward_risk >= 0),
    max_consecutive_losses int not null default 5 check (max_consecutive_losses >= 1),
    updated_at             timestamptz not null default now(),
    primary key (account_id, env)
);

-- One row: engaged or not, and who said so. Engaging cancels every working order
-- and rejects new entries (set_kill_switch, paper_order_risk).
create table kill_switch (
    id         boolean primary key default true check (id),
    engaged    boolean not null default false,
    source     text check (source in ('api', 'env', 'file', 'sql')),
    reason     text,
    changed_at timestamptz not null default now()
);
insert into kill_switch (id) values (true);

-- A runner session on an account: its errors count against max_errors_per_session.
create table paper_runs (
    id          uuid primary key default gen_random_uuid(),
    account_id  uuid not null references paper_accounts (id),
    env         text not null default 'paper' check (env in ('paper', 'live')),
    source      text not null,
    status      text not null default 'RUNNING' check (status in ('RUNNING', 'COMPLETED', 'FAILED', 'STOPPED')),
    error_count int not null default 0 check (error_count >= 0),
    config      jsonb not null default '{}' check (jsonb_typeof(config) = 'object'),
    started_at  timestamptz not null default now(),
    finished_at timestamptz
);
create index paper_runs_account on paper_runs (account_id, started_at desc);

create table paper_orders (
    id                 uuid primary key default gen_random_uuid(),
    account_id         uuid not null references paper_accounts (id),
    run_id             uuid references paper_runs (id),
    -- The caller's idempotency key: submitting it again returns the first order.
    client_order_id    text not null check (length(client_order_id) between 1 and 100),
    instrument         text not null references instruments (symbol),
    -- ENTRY opens or adds to a position and faces every limit; EXIT only reduces one.
    intent             text not null check (intent in ('ENTRY', 'EXIT')),
    side               text not null check (side in ('BUY', 'SELL')),
    quantity           int not null check (quantity > 0),
    -- The price the order was judged at (the signal bar's close).
    reference_price    numeric not null,
    stop_price         numeric,
    target_price       numeric,
    entry_reason       text,
    status             text not null default 'SUBMITTED'
                       check (status in ('SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED')),
    filled_quantity    int not null default 0,
    average_fill_price numeric,
    reject_code        text,
    reject_message     text,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    constraint paper_orders_client_id_unique unique (account_id, client_order_id),
    constraint paper_orders_filled_range check (filled_quantity between 0 and quantity),
    constraint paper_orders_rejected_has_code check (status <> 'REJECTED' or reject_code is not null)
);
create index paper_orders_account_recent on paper_orders (account_id, created_at desc);
create index paper_orders_working on paper_orders (account_id) where status in ('SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED');

-- Every transition of every order, in order.
create table paper_order_events (
    id          bigserial primary key,
    order_id    uuid not null references paper_orders (id) on delete cascade,
    from_status text,
    to_status   text not null,
    reason_code text not null,
    details     jsonb not null default '{}' check (jsonb_typeof(details) = 'object'),
    created_at  timestamptz not null default now()
);
create index paper_order_events_order on paper_order_events (order_id, id);

create table paper_fills (
    id           bigserial primary key,
    order_id     uuid not null references paper_orders (id),
    account_id   uuid not null references paper_accounts (id),
    instrument   text not null references instruments (symbol),
    side         text not null check (side in ('BUY', 'SELL')),
    quantity     int not null check (quantity > 0),
    price        numeric not null,
    fee          numeric not null default 0 check (fee >= 0),
    realized_pnl numeric,
    bar_time     timestamptz not null,
    created_at   timestamptz not null default now()
);
create index paper_fills_account on paper_fills (account_id, created_at desc);

-- Signed contracts per account and instrument (long > 0), their average entry price,
-- the last mark the runner saw and the unrealised PnL at that mark. The runner values
-- it with the engine's own PnL rule (Swift), so the ledger never restates it.
create table paper_positions (
    account_id     uuid not null references paper_accounts (id),
    instrument     text not null references instruments (symbol),
    quantity       int not null default 0,
    average_price  numeric,
    mark_price     numeric,
    unrealized_pnl numeric not null default 0,
    updated_at     timestamptz not null default now(),
    primary key (account_id, instrument),
    constraint paper_positions_priced check (quantity = 0 or (average_price is not null and mark_price is not null))
);

create table paper_equity (
    id         bigserial primary key,
    account_id uuid not null references paper_accounts (id),
    cash       numeric not null,
    unrealized numeric not null,
    equity     numeric not null,
    at         timestamptz not null default now()
);
create index paper_equity_account on paper_equity (account_id, at desc);

insert into event_types (event_type) values
    ('ORDER_REJECTED'), ('KILL_SWITCH_ACTIVATED'), ('KILL_SWITCH_RELEASED'), ('CIRCUIT_BREAKER_TRIPPED');
