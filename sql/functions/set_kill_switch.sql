-- Engages or releases the kill switch. p_source: 'api' (POST /api/admin/kill-switch),
-- 'env' (GAUNTLET_KILL_SWITCH=1), 'file' (var/KILL) or 'sql'. Engaging cancels every
-- working order (reason KILL_SWITCH) and logs KILL_SWITCH_ACTIVATED {source, reason,
-- cancelled_orders}; from then paper_order_risk rejects new entries (KILL_SWITCH)
-- while exits still flatten. Releasing logs KILL_SWITCH_RELEASED. Setting the state
-- it already has changes nothing ("changed": false). Returns kill_switch_doc() plus
-- "changed" and "cancelledOrders".
create or replace function set_kill_switch(p_engaged boolean, p_source text, p_reason text default null) returns jsonb
language plpgsql volatile as $$
declare
    v_current kill_switch%rowtype;
    v_cancelled int := 0;
begin
    if p_engaged is null or p_source is null or p_source not in ('api', 'env', 'file', 'sql') then
        raise exception 'INVALID_KILL_SWITCH' using errcode = '22023',
            detail = 'engaged must be true or false and source one of api, env, file, sql';
    end if;
    select * into v_current from kill_switch for update;
    if v_current.engaged = p_engaged then
        return kill_switch_doc() || jsonb_build_object('changed', false, 'cancelledOrders', 0);
    end if;
    update kill_switch set engaged = p_engaged, source = p_source, reason = p_reason, changed_at = now();
    if p_engaged then
        v_cancelled := cancel_working_paper_orders(null, 'KILL_SWITCH');
    end if;
    insert into activity_events (event_type, payload)
    values (case when p_engaged then 'KILL_SWITCH_ACTIVATED' else 'KILL_SWITCH_RELEASED' end,
            jsonb_strip_nulls(jsonb_build_object('source', p_source, 'reason', p_reason,
                                                 'cancelled_orders', case when p_engaged then v_cancelled end)));
    return kill_switch_doc() || jsonb_build_object('changed', true, 'cancelledOrders', v_cancelled);
end
$$;
