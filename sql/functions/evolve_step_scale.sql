-- How far the next mutation of a bot's lineage moves, relative to
-- Mutation.Strength.evolve: evolve_step_grow per rejected candidate of the lineage
-- (search wider when children keep failing), evolve_step_shrink per accepted one
-- (refine around what worked), clamped to 0.25…4. Order does not matter, so a DBA
-- can recompute it from evolution_selections; 1 for a lineage without verdicts.
create or replace function evolve_step_scale(p_bot uuid) returns double precision
language sql stable as $$
    select least(4, greatest(0.25,
               power(setting('evolve_step_grow')::double precision, count(*) filter (where s.decision = 'REJECTED'))
             * power(setting('evolve_step_shrink')::double precision,
                     count(*) filter (where s.decision = 'ACCEPTED' and s.reason_code <> 'UNJUDGED_LEGACY'))))
      from evolution_selections s
     where s.root_bot_id = lineage_root(p_bot)
$$;
