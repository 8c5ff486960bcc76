-- The research scoring model: one number per row, higher is better, from the
-- out-of-sample evidence. With c(x) = x clamped to [−1, 1] and c₊(x) to [0, 1]:
--
--   score = 25·c(sharpe / 2)                      OOS Sharpe (±2 saturates)
--         + 10·c(return_pct / 10)                 return on starting equity, %
--         + 10·c(net_pnl / equity / 0.10)         PnL / starting equity (simulated_equity)
--         + 15·c((profit_factor − 1) / 0.5)       profit factor (1.5 saturates)
--         + 10·c₊(ln(1 + trades) / ln(101))       trade depth (100 trades saturate)
--         + 20·deflated_sharpe                    the deflated Sharpe (a probability)
--         − 15·c₊(max_drawdown_pct / 20)          drawdown penalty (20 % saturates)
--         − 15·(1 − real_share)                   synthetic-only rows lose 15
--
-- so a perfect real-data row scores 90, a synthetic-only coin flip about −15. Null
-- for a failed row. Ties are broken by the callers: net PnL, then profit factor.
create or replace function research_score(p_row research_rows) returns numeric
language sql stable as $$
    select case when p_row.status = 'COMPLETED' then round((
          25 * greatest(-1, least(1, coalesce(p_row.sharpe, 0) / 2))
        + 10 * greatest(-1, least(1, coalesce(p_row.return_pct, 0) / 10))
        + 10 * greatest(-1, least(1, coalesce(p_row.net_pnl, 0) / setting('simulated_equity')::double precision / 0.10))
        + 15 * greatest(-1, least(1, (coalesce(p_row.profit_factor, 0) - 1) / 0.5))
        + 10 * greatest(0, least(1, ln(1 + greatest(coalesce(p_row.trades, 0), 0)) / ln(101)))
        + 20 * coalesce(p_row.deflated_sharpe, 0)
        - 15 * greatest(0, least(1, coalesce(p_row.max_drawdown_pct, 0) / 20))
        - 15 * (1 - coalesce(p_row.real_share, 0)))::numeric, 2) end
$$;
