-- Submits a paper order: judged by paper_order_risk, then recorded SUBMITTED →
-- ACCEPTED, or SUBMITTED → REJECTED with the breached limit's code, message, limit
-- and value (and an ORDER_REJECTED event; a refusal the bot caused, paper_risk_breach,
-- is a breach of the day's paper session), all in one transaction. Orders of one
-- account are serialised (the account row is locked), so two orders cannot both
-- pass a limit only one of them fits. Idempotent on (account, client_order_id): a
-- repeat returns the first order with "duplicate": true and changes nothing.
-- Bad input raises (nothing written): ACCOUNT_NOT_FOUND (P0002), INVALID_ORDER (22023).
create or replace function submit_paper_order(
    p_account uuid, p_run uuid, p_client_order_id text, p_instrument text, p_intent text, p_side text,
    p_quantity int, p_reference_price numeric, p_stop numeric default null, p_target numeric default null,
    p_entry_reason text default null, p_env text default 'paper')
returns jsonb
language plpgsql volatile as $$
declare
    v_account paper_accounts%rowtype;
    v_order paper_orders%rowtype;
    v_risk jsonb;
begin
    select * into v_account from paper_accounts where id = p_account for update;
    if not found then
        raise exception 'ACCOUNT_NOT_FOUND' using errcode = 'P0002', detail = format('no paper account %s', p_account);
    end if;
    if p_client_order_id is null or p_intent is null or p_intent not in ('ENTRY', 'EXIT') or p_side is null
       or p_side not in ('BUY', 'SELL') or p_quantity is null or p_quantity <= 0 or p_reference_price is null
       or p_env is null or p_env not in ('paper', 'live')
       or not exists (select 1 from instruments where symbol = p_instrument) then
        raise exception 'INVALID_ORDER' using errcode = '22023',
            detail = 'needs client_order_id, a known instrument, intent ENTRY|EXIT, side BUY|SELL, quantity > 0, '
                     || 'a reference price and env paper|live';
    end if;

    select * into v_order from paper_orders where account_id = p_account and client_order_id = p_client_order_id;
    if found then
        return paper_order_doc(v_order) || jsonb_build_object('duplicate', true);
    end if;

    v_risk := paper_order_risk(p_account, p_env, p_instrument, p_intent, p_side, p_quantity, p_reference_price,
                               p_stop, p_target, p_run);
    insert into paper_orders (account_id, run_id, client_order_id, instrument, intent, side, quantity, reference_price,
                              stop_price, target_price, entry_reason)
    values (p_account, p_run, p_client_order_id, p_instrument, p_intent, p_side, p_quantity, p_reference_price,
            p_stop, p_target, p_entry_reason)
    returning * into v_order;
    insert into paper_order_events (order_id, from_status, to_status, reason_code)
    values (v_order.id, null, 'SUBMITTED', 'SUBMITTED');

    if (v_risk ->> 'ok')::boolean then
        v_order := transition_paper_order(v_order.id, 'ACCEPTED', 'RISK_PASSED');
    else
        v_order := transition_paper_order(v_order.id, 'REJECTED', v_risk ->> 'code', v_risk - 'ok');
        insert into activity_events (event_type, bot_id, payload)
        values ('ORDER_REJECTED', v_account.bot_id,
                jsonb_build_object('order_id', v_order.id, 'account', v_account.name, 'client_order_id', p_client_order_id,
                                   'instrument', p_instrument, 'side', p_side, 'quantity', p_quantity,
                                   'reason_code', v_risk ->> 'code', 'message', v_risk ->> 'message',
                                   'limit', v_risk -> 'limit', 'value', v_risk -> 'value'));
        if paper_risk_breach(v_risk ->> 'code') then
            perform paper_session_note(p_account, p_breaches => 1);
        end if;
    end if;
    return paper_order_doc(v_order) || jsonb_build_object('duplicate', false);
end
$$;
