-- An account's figures as the risk limits and the API read them, in one place:
-- cash; unrealised PnL (the positions' stored marks); equity = cash + unrealised;
-- day_loss = how far equity is below the day's starting equity (0 when above, or
-- before begin_paper_day); margin_used = initial margin of every open contract plus
-- that of the unfilled part of working entry orders; gross_notional = Σ |contracts|
-- × mark × multiplier over open positions. Null margin (an instrument without one)
-- makes margin_used null: unknown, never zero.
create or replace function paper_account_figures(p_account uuid)
returns table (cash numeric, unrealized numeric, equity numeric, day_loss numeric, margin_used numeric,
               gross_notional numeric)
language sql stable as $$
    with positions as (
        select p.quantity, p.mark_price, p.unrealized_pnl, i.initial_margin, i.multiplier
          from paper_positions p join instruments i on i.symbol = p.instrument
         where p.account_id = p_account and p.quantity <> 0
    ), working as (
        select (o.quantity - o.filled_quantity) as open_quantity, i.initial_margin
          from paper_orders o join instruments i on i.symbol = o.instrument
         where o.account_id = p_account and o.intent = 'ENTRY' and paper_order_working(o.status)
    ), u as (
        select coalesce(sum(unrealized_pnl), 0) as unrealized from positions
    )
    select a.cash, u.unrealized, a.cash + u.unrealized,
           greatest(0, coalesce(a.day_start_equity - (a.cash + u.unrealized), 0)),
           case when not exists (select 1 from positions where initial_margin is null)
                 and not exists (select 1 from working where initial_margin is null)
                then coalesce((select sum(abs(quantity) * initial_margin) from positions), 0)
                     + coalesce((select sum(open_quantity * initial_margin) from working), 0) end,
           coalesce((select sum(abs(quantity) * mark_price * multiplier) from positions), 0)
      from paper_accounts a, u
     where a.id = p_account
$$;
