-- Moves a paper order to p_to with its reason (and details), recording the
-- transition in paper_order_events; the one way an order's status changes. The
-- lifecycle: SUBMITTED → ACCEPTED | REJECTED; ACCEPTED → PARTIALLY_FILLED | FILLED |
-- CANCELLED; PARTIALLY_FILLED → PARTIALLY_FILLED | FILLED | CANCELLED. Anything else
-- raises 22023 INVALID_ORDER_TRANSITION. Returns the updated order.
create or replace function transition_paper_order(p_order uuid, p_to text, p_reason text, p_details jsonb default '{}')
returns paper_orders
language plpgsql volatile as $$
declare
    v_order paper_orders%rowtype;
    v_from text;
begin
    select * into v_order from paper_orders where id = p_order for update;
    if not found then
        raise exception 'ORDER_NOT_FOUND' using errcode = 'P0002', detail = format('no paper order %s', p_order);
    end if;
    v_from := v_order.status;
    if not (v_from, p_to) in (('SUBMITTED', 'ACCEPTED'), ('SUBMITTED', 'REJECTED'), ('ACCEPTED', 'PARTIALLY_FILLED'),
                              ('ACCEPTED', 'FILLED'), ('ACCEPTED', 'CANCELLED'), ('SUBMITTED', 'CANCELLED'),
                              ('PARTIALLY_FILLED', 'PARTIALLY_FILLED'), ('PARTIALLY_FILLED', 'FILLED'),
                              ('PARTIALLY_FILLED', 'CANCELLED')) then
        raise exception 'INVALID_ORDER_TRANSITION' using errcode = '22023',
            detail = format('order %s cannot go from %s to %s', p_order, v_from, p_to);
    end if;
    update paper_orders
       set status = p_to, updated_at = now(),
           reject_code = case when p_to = 'REJECTED' then p_reason else reject_code end,
           reject_message = case when p_to = 'REJECTED' then p_details ->> 'message' else reject_message end
     where id = p_order
    returning * into v_order;
    insert into paper_order_events (order_id, from_status, to_status, reason_code, details)
    values (p_order, v_from, p_to, p_reason, coalesce(p_details, '{}'));
    return v_order;
end
$$;
