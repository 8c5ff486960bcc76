-- Cancels every working order (paper_order_working) — of one account, or of all
-- accounts when p_account is null — with p_reason, oldest first; returns how many.
-- The kill switch and a runner's graceful stop call it.
create or replace function cancel_working_paper_orders(p_account uuid, p_reason text) returns int
language plpgsql volatile as $$
declare
    v_order uuid;
    v_count int := 0;
begin
    for v_order in select id from paper_orders
                    where paper_order_working(status) and (p_account is null or account_id = p_account)
                    order by created_at for update loop
        perform transition_paper_order(v_order, 'CANCELLED', p_reason);
        v_count := v_count + 1;
    end loop;
    return v_count;
end
$$;
