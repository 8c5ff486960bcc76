-- The one accessor for a setting: its current value as jsonb, typed by the
-- caller's cast (setting('job_lease_seconds')::int, setting('loop_enabled')::boolean,
-- setting('promotion_mode') #>> '{}', (setting('metrics_reset_at') #>> '{}')::timestamptz).
-- Each row's kind, range, default and description live in the settings table
-- (its CHECK holds every value to them), so there is no fallback literal anywhere:
-- an unknown key is an error (P0002 SETTING_NOT_FOUND), never a silent default.
-- In a query over many rows call it in a scalar subquery, (select setting('…')),
-- so it runs once.
create or replace function setting(p_key text) returns jsonb
language plpgsql stable as $$
declare
    v_value jsonb;
begin
    select s.value into v_value from settings s where s.key = p_key;
    if not found then
        raise exception 'SETTING_NOT_FOUND' using errcode = 'P0002', detail = format('no setting %s', p_key),
            hint = 'settings rows are inserted by migrations; run gauntlet migrate';
    end if;
    return v_value;
end
$$;
