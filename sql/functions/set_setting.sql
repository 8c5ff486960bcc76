-- Changes one setting. Unknown key → P0002 SETTING_NOT_FOUND; a value outside
-- the row's own definition (kind, min_value/max_value, allowed, nullable — the
-- settings_value_fits CHECK, e.g. backtest_concurrency integer 2–4) → 22023
-- SETTING_OUT_OF_RANGE with the definition in the hint. Returns the stored value.
create or replace function set_setting(p_key text, p_value jsonb) returns jsonb
language plpgsql volatile as $$
declare
    v_value jsonb;
begin
    begin
        update settings set value = p_value, updated_at = now() where key = p_key returning value into v_value;
    exception when check_violation or not_null_violation then
        raise exception 'SETTING_OUT_OF_RANGE' using errcode = '22023',
            detail = format('%s cannot be %s', p_key, coalesce(p_value::text, 'null')),
            hint = (select format('%s: %s%s%s%s (default %s)', s.description, s.kind,
                                  case when s.min_value is not null or s.max_value is not null
                                       then format(' %s…%s', coalesce(s.min_value::text, ''), coalesce(s.max_value::text, '')) else '' end,
                                  case when s.allowed is not null then ' one of ' || array_to_string(s.allowed, ', ') else '' end,
                                  case when s.nullable then ' or null' else '' end, s.default_value)
                      from settings s where s.key = p_key);
    end;
    if not found then
        raise exception 'SETTING_NOT_FOUND' using errcode = 'P0002', detail = format('no setting %s', p_key);
    end if;
    return v_value;
end
$$;
