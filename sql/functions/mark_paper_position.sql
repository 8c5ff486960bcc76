-- The runner's mark of an open position at a bar's close: the price and the
-- unrealised PnL it values there with the engine's own rule (so the ledger never
-- restates it). A flat or unknown position is left alone; returns whether one was marked.
create or replace function mark_paper_position(p_account uuid, p_instrument text, p_mark numeric, p_unrealized numeric)
returns boolean
language sql volatile as $$
    with marked as (
        update paper_positions set mark_price = p_mark, unrealized_pnl = p_unrealized, updated_at = now()
         where account_id = p_account and instrument = p_instrument and quantity <> 0
        returning 1
    )
    select exists (select 1 from marked)
$$;
