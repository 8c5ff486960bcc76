-- Changes one setting. Unknown key → P0002 SETTING_NOT_FOUND; a value outside
-- its range (the settings_value_in_range CHECK, e.g. backtest_concurrency 2–4)
-- → 22023 SETTING_OUT_OF_RANGE. Returns the stored value.
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
            hint = (select description from settings where key = p_key);
    end;
    if not found then
        raise exception 'SETTING_NOT_FOUND' using errcode = 'P0002', detail = format('no setting %s', p_key);
    end if;
    return v_value;
end
$$;
