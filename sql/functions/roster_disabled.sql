-- Whether the roster has DISABLED a bot's (archetype, instrument) pair: the planner
-- holds such a bot (ROSTER_DISABLED) and the gate rule roster_active blocks its
-- promotion. A pair the roster never judged is not disabled; an unknown bot neither.
create or replace function roster_disabled(p_bot uuid) returns boolean
language sql stable as $$
    select exists (select 1 from bots b join roster r on r.archetype_slug = b.archetype_slug and r.instrument = b.instrument
                    where b.id = p_bot and r.state = 'DISABLED')
$$;
