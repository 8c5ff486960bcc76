-- The stages in order, lowest first. A promotion is one step up this ladder, a
-- demotion any step down; transition_stage, apply_stage_moves and gate_status read
-- it (the bots/gate_rules CHECKs list the same names as the column's domain).
create or replace function stage_ladder() returns text[]
language sql immutable as $$
    select array['LAB', 'PAPER', 'SHADOW', 'CANARY', 'LIVE']
$$;
