-- GET /api/orders: paper orders newest first (at most p_limit), optionally one
-- account's and one status's.
create or replace function api_orders(p_account uuid, p_status text, p_limit int) returns jsonb
language plpgsql stable set plan_cache_mode = force_custom_plan as $$
begin
    return (
        select jsonb_build_object('orders', coalesce(jsonb_agg(paper_order_doc(o) order by o.created_at desc), '[]'))
          from (select * from paper_orders
                 where (p_account is null or account_id = p_account) and (p_status is null or status = p_status)
                 order by created_at desc limit p_limit) o
    );
end
$$;
