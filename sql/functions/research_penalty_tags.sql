-- Why a research row should not be trusted as it stands, as stable tags (empty for
-- a failed row):
--   negative_pnl             net PnL < 0
--   profit_factor_below_one  profit factor < 1
--   sharpe_below_zero        OOS Sharpe < 0
--   drawdown_exceeds_gain    max drawdown (USD) > net PnL
--   insufficient_trades      not research_qualified (trades < research_min_trades)
--   synthetic_data           any of its sessions came from synthetic bars (real_share < 1)
--   oos_decay                in-sample Sharpe − OOS Sharpe > research_oos_decay
--   edge_of_grid             the cell lies on a boundary of its archetype's band
--   few_sessions             sessions_tested < research_min_sessions
create or replace function research_penalty_tags(p_row research_rows) returns text[]
language sql stable as $$
    select case when p_row.status <> 'COMPLETED' then '{}'::text[] else array_remove(array[
        case when p_row.net_pnl < 0 then 'negative_pnl' end,
        case when p_row.profit_factor < 1 then 'profit_factor_below_one' end,
        case when p_row.sharpe < 0 then 'sharpe_below_zero' end,
        case when p_row.max_drawdown_usd > p_row.net_pnl then 'drawdown_exceeds_gain' end,
        case when not research_qualified(p_row.trades) then 'insufficient_trades' end,
        case when coalesce(p_row.real_share, 0) < 1 then 'synthetic_data' end,
        case when p_row.in_sample_sharpe - p_row.sharpe > setting('research_oos_decay')::double precision
             then 'oos_decay' end,
        case when p_row.grid_edge then 'edge_of_grid' end,
        case when coalesce(p_row.sessions_tested, 0) < setting('research_min_sessions')::int then 'few_sessions' end
    ], null) end
$$;
