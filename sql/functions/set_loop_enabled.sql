-- Switches the autonomy loop (settings.loop_enabled). While off, planner_tick
-- enqueues nothing and records LOOP_DISABLED; the supervisor, the lease rescuer
-- and pruning keep running. Writes AUTONOMY_LOOP_TOGGLED {loop_enabled, actor}
-- when the value changes. Returns {"loopEnabled": bool, "changed": bool, "actor": text}.
create or replace function set_loop_enabled(p_enabled boolean, p_actor text) returns jsonb
language plpgsql volatile as $$
declare
    v_old boolean;
begin
    if p_enabled is null then
        raise exception 'INVALID_ARGUMENT' using errcode = '22023', detail = 'p_enabled must be true or false';
    end if;
    select (value #>> '{}')::boolean into v_old from settings where key = 'loop_enabled' for update;
    update settings set value = to_jsonb(p_enabled), updated_at = now() where key = 'loop_enabled';
    if v_old is distinct from p_enabled then
        insert into activity_events (event_type, payload)
        values ('AUTONOMY_LOOP_TOGGLED', jsonb_build_object('loop_enabled', p_enabled, 'actor', coalesce(p_actor, 'system')));
    end if;
    return jsonb_build_object('loopEnabled', p_enabled, 'changed', v_old is distinct from p_enabled,
                              'actor', coalesce(p_actor, 'system'));
end
$$;
