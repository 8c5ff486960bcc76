-- The advisory-lock key named p_name in advisory_locks (where every key is
-- listed with what it serialises). Unknown name → P0002 LOCK_NOT_FOUND.
create or replace function lock_key(p_name text) returns bigint
language plpgsql stable as $$
declare
    v_key bigint;
begin
    select l.key into v_key from advisory_locks l where l.name = p_name;
    if not found then
        raise exception 'LOCK_NOT_FOUND' using errcode = 'P0002', detail = format('no advisory lock named %s', p_name);
    end if;
    return v_key;
end
$$;
