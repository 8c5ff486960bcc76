-- The hard risk limits, judged before every order (submit_paper_order calls it in
-- the order's transaction, so the position, the working orders and the day's loss it
-- reads cannot move underneath it). Returns {"ok": true} or {"ok": false, "code",
-- "message", "limit", "value"}; the first breach in this order wins:
--   LIVE_DISABLED        env 'live': LIVE is fail-closed, every order is refused;
--   EXIT orders only need EXIT_EXCEEDS_POSITION: they must reduce an open position
--                        (no flip), and face no other limit — flattening is always allowed;
--   KILL_SWITCH          the kill switch is engaged (kill_switch);
--   CIRCUIT_BREAKER      the account is halted for today (halted_day = trading_day);
--   NO_LIMITS            no risk_limits row for (account, env);
--   ERRORS_PER_SESSION   the run's error_count > max_errors_per_session;
--   ORDERS_PER_MINUTE    orders in the last 60 s, this one included, > max_orders_per_minute;
--   NO_STOP / INVALID_STOP  an entry needs a stop on its losing side;
--   MAX_LOSS_PER_TRADE   |reference − stop| × contracts × multiplier > max_loss_per_trade_usd;
--   MIN_REWARD_RISK      with a target: |target − reference| / |reference − stop| < min_reward_risk;
--   MAX_POSITION         |position| + contracts > max_position_contracts;
--   MAX_NOTIONAL         gross notional + contracts × reference × multiplier > max_notional_usd;
--   MAX_DAILY_LOSS       day_loss ≥ max_daily_loss_usd (the limit reached stops new risk);
--   MAX_DAILY_LOSS_PCT   day_loss ≥ max_daily_loss_pct % of day_start_equity;
--   MARGIN_UNKNOWN / INSUFFICIENT_MARGIN  initial margin × contracts > equity − margin_used.
-- "At" a limit is allowed for sizes (position, notional, loss per trade, margin,
-- reward:risk, orders, errors) and refused for the day's loss (it has been reached).
create or replace function paper_order_risk(p_account uuid, p_env text, p_instrument text, p_intent text, p_side text,
                                            p_quantity int, p_reference_price numeric, p_stop numeric,
                                            p_target numeric, p_run uuid default null)
returns jsonb
language plpgsql stable as $$
declare
    v_account paper_accounts%rowtype;
    v_limits risk_limits%rowtype;
    v_instrument instruments%rowtype;
    v_position int;
    v_sign int := case p_side when 'BUY' then 1 else -1 end;
    v_fig record;
    v_count int;
    v_value numeric;
    v_stop_distance numeric;
begin
    select * into v_account from paper_accounts where id = p_account;
    select * into v_instrument from instruments where symbol = p_instrument;
    v_position := coalesce((select quantity from paper_positions where account_id = p_account and instrument = p_instrument), 0);

    if p_env = 'live' then
        return risk_refusal('LIVE_DISABLED', 'live trading is fail-closed: no order can reach a broker', null, null);
    end if;
    if p_intent = 'EXIT' then
        if v_position = 0 or sign(v_position) = v_sign or p_quantity > abs(v_position) then
            return risk_refusal('EXIT_EXCEEDS_POSITION',
                format('an exit must reduce the open position (%s contracts); this one would %s %s',
                       v_position, lower(p_side), p_quantity), abs(v_position), p_quantity);
        end if;
        return jsonb_build_object('ok', true);
    end if;

    if (select engaged from kill_switch) then
        return risk_refusal('KILL_SWITCH', 'the kill switch is engaged: no new entries', null, null);
    end if;
    if v_account.halted_day is not null and v_account.halted_day = v_account.trading_day then
        return risk_refusal('CIRCUIT_BREAKER', format('trading is halted for %s: %s', v_account.halted_day,
                                                  coalesce(v_account.halt_reason, 'circuit breaker')), null, null);
    end if;
    select * into v_limits from risk_limits where account_id = p_account and env = p_env;
    if not found then
        return risk_refusal('NO_LIMITS', format('account %s has no %s risk limits', v_account.name, p_env), null, null);
    end if;

    if p_run is not null then
        v_count := (select error_count from paper_runs where id = p_run);
        if v_count > v_limits.max_errors_per_session then
            return risk_refusal('ERRORS_PER_SESSION', format('%s errors this session, more than %s', v_count,
                                                        v_limits.max_errors_per_session),
                           v_limits.max_errors_per_session, v_count);
        end if;
    end if;
    -- This order included (it is not inserted yet when judged).
    v_count := 1 + (select count(*) from paper_orders
                     where account_id = p_account and created_at > now() - interval '60 seconds');
    if v_count > v_limits.max_orders_per_minute then
        return risk_refusal('ORDERS_PER_MINUTE', format('%s orders in 60 s, more than %s', v_count, v_limits.max_orders_per_minute),
                       v_limits.max_orders_per_minute, v_count);
    end if;

    if p_stop is null then
        return risk_refusal('NO_STOP', 'an entry needs a stop: without one its loss has no bound', null, null);
    end if;
    v_stop_distance := (p_reference_price - p_stop) * v_sign;
    if v_stop_distance <= 0 then
        return risk_refusal('INVALID_STOP', format('a %s stop must be %s the reference price %s, not at %s', lower(p_side),
                                              case v_sign when 1 then 'below' else 'above' end, p_reference_price, p_stop),
                       null, p_stop);
    end if;
    v_value := v_stop_distance * p_quantity * v_instrument.multiplier;
    if v_value > v_limits.max_loss_per_trade_usd then
        return risk_refusal('MAX_LOSS_PER_TRADE', format('a stop-out would lose $%s, more than $%s', round(v_value, 2),
                                                    v_limits.max_loss_per_trade_usd),
                       v_limits.max_loss_per_trade_usd, v_value);
    end if;
    if p_target is not null then
        v_value := (p_target - p_reference_price) * v_sign / v_stop_distance;
        if v_value < v_limits.min_reward_risk then
            return risk_refusal('MIN_REWARD_RISK', format('reward:risk %s is below %s', round(v_value, 3), v_limits.min_reward_risk),
                           v_limits.min_reward_risk, v_value);
        end if;
    end if;

    v_count := abs(v_position) + p_quantity;
    if v_count > v_limits.max_position_contracts then
        return risk_refusal('MAX_POSITION', format('%s contracts of %s would exceed the maximum of %s', v_count, p_instrument,
                                              v_limits.max_position_contracts),
                       v_limits.max_position_contracts, v_count);
    end if;
    select * into v_fig from paper_account_figures(p_account);
    v_value := v_fig.gross_notional + p_quantity * p_reference_price * v_instrument.multiplier;
    if v_value > v_limits.max_notional_usd then
        return risk_refusal('MAX_NOTIONAL', format('gross notional $%s would exceed $%s', round(v_value, 2), v_limits.max_notional_usd),
                       v_limits.max_notional_usd, v_value);
    end if;
    if v_fig.day_loss >= v_limits.max_daily_loss_usd then
        return risk_refusal('MAX_DAILY_LOSS', format('today''s loss $%s has reached the limit of $%s', round(v_fig.day_loss, 2),
                                                v_limits.max_daily_loss_usd),
                       v_limits.max_daily_loss_usd, v_fig.day_loss);
    end if;
    if v_account.day_start_equity is not null
       and v_fig.day_loss >= v_limits.max_daily_loss_pct / 100 * v_account.day_start_equity then
        return risk_refusal('MAX_DAILY_LOSS_PCT', format('today''s loss $%s has reached %s %% of the day''s starting equity',
                                                    round(v_fig.day_loss, 2), v_limits.max_daily_loss_pct),
                       v_limits.max_daily_loss_pct / 100 * v_account.day_start_equity, v_fig.day_loss);
    end if;
    if v_instrument.initial_margin is null or v_fig.margin_used is null then
        return risk_refusal('MARGIN_UNKNOWN', format('%s (or an open position) has no initial margin; set instruments.initial_margin',
                                                p_instrument), null, null);
    end if;
    v_value := v_instrument.initial_margin * p_quantity;
    if v_value > v_fig.equity - v_fig.margin_used then
        return risk_refusal('INSUFFICIENT_MARGIN', format('needs $%s of margin, $%s is free', v_value,
                                                     round(v_fig.equity - v_fig.margin_used, 2)),
                       v_fig.equity - v_fig.margin_used, v_value);
    end if;
    return jsonb_build_object('ok', true);
end
$$;
