-- The configurations tried in a bot's lineage (every bot sharing its root: EVOLVE
-- ancestors, siblings and candidates, accepted or rejected, and the IMPROVE
-- candidates recorded as sessions of any of them): the distinct params_hash of
-- every completed backtest session, plus a bot's own params_hash while it has no
-- completed session yet (the engine's hash of the complete set can differ from a
-- bot's stored partial one, so a bot with sessions is counted by them). An EVOLVE
-- never re-tries one (record_evolution refuses DUPLICATE_PARAMS); lineage_trials
-- counts them. Empty for an unknown bot.
create or replace function lineage_params_hashes(p_bot uuid) returns text[]
language sql stable as $$
    with lineage as (
        select b.id, b.params_hash from bots b where lineage_root(b) = lineage_root(p_bot)
    )
    select coalesce(array_agg(distinct h order by h), '{}')
      from (select s.params_hash as h from backtest_sessions s join lineage l on l.id = s.bot_id
             where s.status = 'COMPLETED'
            union all
            select l.params_hash from lineage l
             where not exists (select 1 from backtest_sessions s where s.bot_id = l.id and s.status = 'COMPLETED')) t
$$;
