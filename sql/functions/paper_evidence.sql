-- A bot's paper evidence — what the PAPER gates read (gate_evaluations): its paper
-- sessions since its evidence began (paper_evidence_since) at its current iteration.
-- Only sessions on real bars count (is_real_data: synthetic bars carry no edge, so no
-- evidence either way); synthetic_days says how many were left out.
--   paper_days       real-data sessions (trading days the runner traded the bot)
--   paper_trades     trades closed on them; paper_realized_pnl their net PnL (USD)
--   paper_expectancy paper_realized_pnl / paper_trades (null without trades)
--   risk_breaches    refusals the bot caused (paper_risk_breach) + circuit-breaker trips
--   max_drawdown_pct the account's real-data drawdown since then, % of its starting
--                    cash (null until a real-data sample since then: no evidence)
create or replace view paper_evidence as
select b.id as bot_id, a.id as account_id, x.since,
       coalesce(s.days, 0) as paper_days, coalesce(s.synthetic_days, 0) as synthetic_days,
       coalesce(s.trades, 0) as paper_trades, coalesce(s.pnl, 0) as paper_realized_pnl,
       s.pnl / nullif(s.trades, 0) as paper_expectancy,
       coalesce(s.breaches, 0) as risk_breaches,
       case when a.evidence_since >= x.since and a.peak_equity is not null
            then a.max_drawdown_usd / a.starting_cash * 100 end as max_drawdown_pct
  from bots b
 cross join lateral (select paper_evidence_since(b.id) as since) x
  left join paper_accounts a on a.bot_id = b.id
  left join lateral (
        select count(*) filter (where is_real_data(p.data_source))::int as days,
               count(*) filter (where not is_real_data(p.data_source))::int as synthetic_days,
               sum(p.trades_count) filter (where is_real_data(p.data_source))::int as trades,
               sum(p.realized_pnl) filter (where is_real_data(p.data_source)) as pnl,
               sum(p.risk_breaches + p.circuit_breaker_trips) filter (where is_real_data(p.data_source))::int as breaches
          from paper_sessions p
         where p.account_id = a.id and p.created_at >= x.since and p.iteration = b.iteration) s on true;
