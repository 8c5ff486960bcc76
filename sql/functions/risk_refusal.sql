-- A risk refusal as paper_order_risk returns it: {"ok": false, "code", "message",
-- "limit", "value"} (limit and value null when the rule has no figure).
create or replace function risk_refusal(p_code text, p_message text, p_limit numeric, p_value numeric) returns jsonb
language sql immutable as $$
    select jsonb_build_object('ok', false, 'code', p_code, 'message', p_message, 'limit', p_limit, 'value', p_value)
$$;
