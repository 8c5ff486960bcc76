-- api_research_run gained archetype and instrument filters (the Research page's heat
-- map reads one grid); the four-argument version would otherwise stay as an overload.
drop function if exists api_research_run(uuid, text, int, int);
