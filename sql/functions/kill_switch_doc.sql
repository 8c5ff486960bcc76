-- The kill switch as every page shows it: {engaged, source, reason, changedAt}.
create or replace function kill_switch_doc() returns jsonb
language sql stable as $$
    select jsonb_build_object('engaged', k.engaged, 'source', k.source, 'reason', k.reason, 'changedAt', k.changed_at)
      from kill_switch k
$$;
