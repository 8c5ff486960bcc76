-- Which lineage limit holds each bot back from evolving now (hold), or null: the first of
--   CANDIDATE_PENDING  evolve_candidates_per_lineage candidates of its lineage await a verdict
--   EVOLVE_COOLDOWN    its lineage's last evolution started < evolve_min_interval_minutes ago
--   PARAMS_EXHAUSTED   its last EVOLVE job failed PARAMS_EXHAUSTED (every draw was a
--                      configuration the lineage had tried)
-- One home for these rules: planner_tick paces evolutions with all three over the
-- whole fleet; record_evolution refuses a candidate over the cap (CANDIDATE_PENDING,
-- through evolution_hold) — an EVOLVE already running (or forced through the API) is
-- past the pacing. The fleet-wide population cap is not a lineage limit: see
-- planner_tick and record_evolution. Set-based: the lineages' selections are grouped
-- once and each bot's last EVOLVE comes from the partial index bot_jobs_evolve.
create or replace view evolution_holds as
select b.id as bot_id,
       case
           when coalesce(lin.pending, 0) >= (select setting('evolve_candidates_per_lineage')::int)
               then 'CANDIDATE_PENDING'
           when lin.last_started > now() - make_interval(mins => (select setting('evolve_min_interval_minutes')::int))
               then 'EVOLVE_COOLDOWN'
           when ev.error_code = 'PARAMS_EXHAUSTED' then 'PARAMS_EXHAUSTED'
       end as hold
  from bots b
  left join (select s.root_bot_id, count(*) filter (where s.decision is null and c.status = 'CANDIDATE') as pending,
                    max(s.started_at) as last_started
               from evolution_selections s join bots c on c.id = s.candidate_bot_id
              group by s.root_bot_id) lin on lin.root_bot_id = lineage_root(b)
  left join (select distinct on (j.bot_id) j.bot_id, j.error_code from bot_jobs j
              where j.job_type = 'EVOLVE'
              order by j.bot_id, j.created_at desc) ev on ev.bot_id = b.id;
