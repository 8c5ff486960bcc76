-- Configurations tried in a bot's lineage, for the deflated Sharpe ratio's trials
-- (DESIGN.md §6): the distinct params_hash values of every backtest session of the
-- bot and its ancestors (parent_bot_id chain: EVOLVE ancestors; IMPROVE candidates
-- are sessions of the bot itself), plus a lineage bot's own params_hash while it has
-- no session yet (the engine's hash of the complete set can differ from a bot's
-- stored partial one, so a bot with sessions is counted by them). At least 1; 0 for
-- an unknown bot.
create or replace function lineage_trials(p_bot uuid) returns int
language sql stable as $$
    with recursive lineage as (
        select b.id, b.parent_bot_id, b.params_hash, 1 as depth from bots b where b.id = p_bot
        union all
        select p.id, p.parent_bot_id, p.params_hash, l.depth + 1
          from bots p join lineage l on p.id = l.parent_bot_id
         where l.depth < 10000
    )
    select count(distinct h)::int
      from (select s.params_hash as h from backtest_sessions s join lineage l on l.id = s.bot_id
             where s.status = 'COMPLETED'
            union all
            select l.params_hash from lineage l
             where not exists (select 1 from backtest_sessions s where s.bot_id = l.id and s.status = 'COMPLETED')) t
$$;
