-- Cancels a working paper order (paper_order_working; the
-- filled part stays filled) with p_reason; an order already finished is returned
-- as it is. Unknown order: P0002 ORDER_NOT_FOUND.
create or replace function cancel_paper_order(p_order uuid, p_reason text default 'CANCELLED') returns jsonb
language plpgsql volatile as $$
declare
    v_order paper_orders%rowtype;
begin
    select * into v_order from paper_orders where id = p_order for update;
    if not found then
        raise exception 'ORDER_NOT_FOUND' using errcode = 'P0002', detail = format('no paper order %s', p_order);
    end if;
    if paper_order_working(v_order.status) then
        v_order := transition_paper_order(p_order, 'CANCELLED', p_reason);
    end if;
    return paper_order_doc(v_order);
end
$$;
