-- The root of a bot's lineage (the starter or hand-made bot it descends from); the
-- bot itself for a root; null for an unknown bot.
create or replace function lineage_root(p_bot uuid) returns uuid
language sql stable as $$
    select coalesce(b.root_bot_id, b.id) from bots b where b.id = p_bot
$$;
