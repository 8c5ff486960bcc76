-- A bot's roster state: its (archetype, instrument) pair's, ACTIVE when the roster
-- has no row for it (never judged). Read by the planner (ROSTER_DISABLED) and the
-- gate rule roster_active (gate_evaluations).
create or replace function roster_state(p_archetype text, p_instrument text) returns text
language sql stable as $$
    select coalesce((select r.state from roster r where r.archetype_slug = p_archetype and r.instrument = p_instrument),
                    'ACTIVE')
$$;
