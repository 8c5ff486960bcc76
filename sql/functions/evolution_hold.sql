-- Which lineage limit holds a bot back from evolving now, or null: the first of
--   CANDIDATE_PENDING  evolve_candidates_per_lineage candidates of its lineage await a verdict
--   EVOLVE_COOLDOWN    its lineage's last evolution started < evolve_min_interval_minutes ago
--   PARAMS_EXHAUSTED   its last EVOLVE job failed PARAMS_EXHAUSTED (every draw was a
--                      configuration the lineage had tried)
-- One home for these rules: planner_tick paces evolutions with all three;
-- record_evolution refuses a candidate over the cap (CANDIDATE_PENDING) — an EVOLVE
-- already running (or forced through the API) is past the pacing. The fleet-wide
-- population cap is not a lineage limit: see planner_tick and record_evolution.
create or replace function evolution_hold(p_bot uuid) returns text
language sql stable as $$
    select case
               when lin.pending >= setting('evolve_candidates_per_lineage')::int then 'CANDIDATE_PENDING'
               when lin.last_started > now() - make_interval(mins => setting('evolve_min_interval_minutes')::int)
                   then 'EVOLVE_COOLDOWN'
               when (select j.error_code from bot_jobs j where j.bot_id = p_bot and j.job_type = 'EVOLVE'
                      order by j.created_at desc limit 1) = 'PARAMS_EXHAUSTED' then 'PARAMS_EXHAUSTED'
           end
      from (select count(*) filter (where s.decision is null and c.status = 'CANDIDATE') as pending,
                   max(s.started_at) as last_started
              from evolution_selections s join bots c on c.id = s.candidate_bot_id
             where s.root_bot_id = lineage_root(p_bot)) lin
$$;
