-- Books a fill of a working paper order, in one transaction: the paper_fills row; the
-- order's filled quantity and average price, PARTIALLY_FILLED or FILLED (reason FILL);
-- the position (signed contracts; the average price of what is still open); and cash
-- += p_realized_pnl − p_fee. The money comes from the runner, which values trades with
-- the engine's own rule (Backtest TradeMoney), so the ledger never restates it:
--   p_fee           commission of this fill (USD);
--   p_realized_pnl  gross PnL of the contracts this fill closes — required when it
--                   reduces the position, refused when it opens or adds;
--   p_trade_pnl     the whole trade's net PnL — required when this fill flattens.
-- A flattening fill stores the trade's net PnL (trade_pnl), counts the trade in the
-- day's paper session (paper_session_note) and moves the losing streak (a loss adds
-- one, a win or scratch resets it); at max_consecutive_losses, or when the day's loss reaches max_daily_loss_usd,
-- the account halts for its trading day (CIRCUIT_BREAKER_TRIPPED, reason and figures;
-- a trip of the day's paper session).
-- Refused (22023, nothing written): FILL_NOT_WORKING, INVALID_FILL (quantity beyond
-- the unfilled part, no price, a negative fee), FILL_MONEY
-- (realized/trade PnL missing or misplaced). Returns {order, position, cash, halted}.
create or replace function record_paper_fill(p_order uuid, p_quantity int, p_price numeric, p_fee numeric,
                                             p_bar_time timestamptz, p_realized_pnl numeric default null,
                                             p_trade_pnl numeric default null)
returns jsonb
language plpgsql volatile as $$
declare
    v_order paper_orders%rowtype;
    v_account paper_accounts%rowtype;
    v_limits risk_limits%rowtype;
    v_position paper_positions%rowtype;
    v_delta int;
    v_new int;
    v_reduces boolean;
    v_halt text;
begin
    select * into v_order from paper_orders where id = p_order for update;
    if not found then
        raise exception 'ORDER_NOT_FOUND' using errcode = 'P0002', detail = format('no paper order %s', p_order);
    end if;
    if not paper_order_working(v_order.status, p_fillable => true) then
        raise exception 'FILL_NOT_WORKING' using errcode = '22023',
            detail = format('order %s is %s; only ACCEPTED or PARTIALLY_FILLED orders fill', p_order, v_order.status);
    end if;
    if p_quantity is null or p_quantity <= 0 or p_quantity > v_order.quantity - v_order.filled_quantity
       or p_price is null or p_fee is null or p_fee < 0 or p_bar_time is null then
        raise exception 'INVALID_FILL' using errcode = '22023',
            detail = format('a fill needs 1…%s contracts, a price, a fee ≥ 0 and its bar time',
                            v_order.quantity - v_order.filled_quantity);
    end if;
    select * into v_account from paper_accounts where id = v_order.account_id for update;
    select * into v_position from paper_positions where account_id = v_order.account_id and instrument = v_order.instrument
       for update;
    v_delta := p_quantity * case v_order.side when 'BUY' then 1 else -1 end;
    v_new := coalesce(v_position.quantity, 0) + v_delta;
    v_reduces := coalesce(v_position.quantity, 0) <> 0 and sign(v_position.quantity) <> sign(v_delta);
    if v_reduces and sign(v_new) = sign(v_delta) and v_new <> 0 then
        raise exception 'FILL_MONEY' using errcode = '22023', detail = 'a fill may not flip a position through flat';
    end if;
    if v_reduces <> (p_realized_pnl is not null) or (v_new = 0) <> (p_trade_pnl is not null) then
        raise exception 'FILL_MONEY' using errcode = '22023',
            detail = 'realized PnL comes with (only) a fill that reduces the position, trade PnL with (only) one that flattens it';
    end if;

    insert into paper_fills (order_id, account_id, instrument, side, quantity, price, fee, realized_pnl, trade_pnl,
                             bar_time)
    values (p_order, v_order.account_id, v_order.instrument, v_order.side, p_quantity, p_price, p_fee, p_realized_pnl,
            p_trade_pnl, p_bar_time);
    update paper_orders
       set filled_quantity = filled_quantity + p_quantity,
           average_fill_price = trim_scale((coalesce(average_fill_price, 0) * filled_quantity + p_price * p_quantity)
                                           / (filled_quantity + p_quantity))
     where id = p_order;
    v_order := transition_paper_order(p_order, case when v_order.filled_quantity + p_quantity = v_order.quantity
                                                    then 'FILLED' else 'PARTIALLY_FILLED' end, 'FILL',
                                      jsonb_build_object('quantity', p_quantity, 'price', p_price));

    insert into paper_positions as p (account_id, instrument, quantity, average_price, mark_price, unrealized_pnl)
    values (v_order.account_id, v_order.instrument, v_new, case when v_new <> 0 then p_price end,
            case when v_new <> 0 then p_price end, 0)
    on conflict (account_id, instrument) do update
       set quantity = v_new,
           average_price = case when v_new = 0 then null
                                when v_reduces then p.average_price
                                else trim_scale((coalesce(p.average_price, 0) * abs(p.quantity) + p_price * p_quantity)
                                                / abs(v_new)) end,
           mark_price = case when v_new = 0 then null else p_price end,
           unrealized_pnl = case when v_new = 0 then 0 else p.unrealized_pnl end,
           updated_at = now()
    returning * into v_position;

    update paper_accounts
       set cash = cash + coalesce(p_realized_pnl, 0) - p_fee,
           consecutive_losses = case when p_trade_pnl is null then consecutive_losses
                                     when p_trade_pnl < 0 then consecutive_losses + 1 else 0 end,
           updated_at = now()
     where id = v_order.account_id
    returning * into v_account;
    if p_trade_pnl is not null then
        perform paper_session_note(v_account.id, p_trades => 1, p_wins => (p_trade_pnl > 0)::int, p_pnl => p_trade_pnl);
    end if;
    select * into v_limits from risk_limits where account_id = v_account.id and env = 'paper';
    if found and v_account.halted_day is distinct from v_account.trading_day and v_account.trading_day is not null then
        if v_account.consecutive_losses >= v_limits.max_consecutive_losses then
            v_halt := format('%s consecutive losing trades', v_account.consecutive_losses);
        elsif (select day_loss from paper_account_figures(v_account.id)) >= v_limits.max_daily_loss_usd then
            v_halt := format('the day''s loss reached $%s', v_limits.max_daily_loss_usd);
        end if;
        if v_halt is not null then
            update paper_accounts set halted_day = trading_day, halt_reason = v_halt where id = v_account.id
            returning * into v_account;
            insert into activity_events (event_type, bot_id, payload)
            values ('CIRCUIT_BREAKER_TRIPPED', v_account.bot_id,
                    jsonb_build_object('account', v_account.name, 'trading_day', v_account.trading_day,
                                       'reason', v_halt, 'consecutive_losses', v_account.consecutive_losses,
                                       'day_loss', (select day_loss from paper_account_figures(v_account.id))));
            perform paper_session_note(v_account.id, p_trips => 1);
        end if;
    end if;
    return jsonb_build_object('order', paper_order_doc(v_order),
                              'position', jsonb_build_object('quantity', v_position.quantity,
                                                             'averagePrice', v_position.average_price),
                              'cash', v_account.cash, 'halted', v_account.halted_day is not distinct from v_account.trading_day
                                                                 and v_account.halted_day is not null);
end
$$;
