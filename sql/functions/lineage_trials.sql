-- Configurations tried in a bot's lineage, for the deflated Sharpe ratio's trials
-- (DESIGN.md §6): the size of lineage_params_hashes — so every evolved candidate,
-- accepted or rejected, and every IMPROVE candidate counts. At least 1; 0 for an
-- unknown bot.
create or replace function lineage_trials(p_bot uuid) returns int
language sql stable as $$
    select cardinality(lineage_params_hashes(p_bot))
$$;
