-- Which lineage limit holds one bot back from evolving now, or null (rules:
-- evolution_holds). record_evolution asks it before creating a candidate.
create or replace function evolution_hold(p_bot uuid) returns text
language sql stable as $$
    select h.hold from evolution_holds h where h.bot_id = p_bot
$$;
