-- The root of a bot's lineage (the starter or hand-made bot it descends from); the
-- bot itself for a root; null for an unknown bot. The bots-row form is the rule, for
-- queries over many bots (evolution_holds); the id form looks the bot up.
create or replace function lineage_root(p_bot bots) returns uuid
language sql immutable as $$
    select coalesce(p_bot.root_bot_id, p_bot.id)
$$;

create or replace function lineage_root(p_bot uuid) returns uuid
language sql stable as $$
    select lineage_root(b) from bots b where b.id = p_bot
$$;
