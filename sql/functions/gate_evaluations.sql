-- Every enabled gate rule of each bot's current stage, evaluated on the bot's
-- evidence (bot_evidence). One row per (bot, rule); kind PROMOTE rules lead to the
-- next stage, KEEP rules must keep passing to stay (to_stage = where a failing bot
-- is demoted to). Metric definitions:
--   trades_count          trades in the session
--   realized_pnl          net USD PnL of the session
--   profit_factor         gross profit / gross loss (10 without losses)
--   pnl_or_pf             actual = profit_factor; the rule passes when realized_pnl > 0
--                         OR profit_factor <comparator> threshold (the LAB → PAPER
--                         "realized PnL > 0 or profit factor > 1.05")
--   max_drawdown_pct      max drawdown as % of starting equity (settings.simulated_equity)
--   sharpe, sortino, win_rate, expectancy, sqn   as the engine recorded them
--   last_run_ok           1 unless the bot's latest finished job is FAILED
--                         ("no critical error in the last run"); 1 with no finished job
--   data_is_real          1 when the session's data_source is not 'synthetic'
--   risk_engine_verified  always 0: no live risk engine exists (RISK_ENGINE_UNVERIFIED)
--   expectancy_ci_low     lower bound of the 95% block-bootstrap interval of the
--                         out-of-sample expectancy per trade (null → fails: no walk-forward)
--   deflated_sharpe       deflated Sharpe ratio (probability) of the out-of-sample
--                         daily returns with trials = lineage_trials at the run
--   roster_active         0 when the roster DISABLED the bot's (archetype, instrument)
--                         (roster_disabled), else 1 — the weekly research's veto on promotion
-- Every metric reads the session's out-of-sample aggregate (the headline columns).
-- A rule with requires_real_data also fails on synthetic evidence. A bot without
-- an effective session has null actuals and fails every rule (has_evidence false).
create or replace view gate_evaluations as
select e.bot_id, g.id as rule_id, g.kind, g.from_stage, g.to_stage, g.metric, g.comparator, g.threshold, v.actual,
       coalesce(
           case when e.session_id is null then false
                when g.requires_real_data and not is_real_data(e.data_source) then false
                when g.metric = 'pnl_or_pf' and e.realized_pnl > 0 then true
                else case g.comparator
                         when '>=' then v.actual >= g.threshold
                         when '>' then v.actual > g.threshold
                         when '<=' then v.actual <= g.threshold
                         when '<' then v.actual < g.threshold
                         when '=' then v.actual = g.threshold
                     end
           end, false) as passed,
       case when g.metric = 'risk_engine_verified' then 'RISK_ENGINE_UNVERIFIED'
            when e.session_id is null then 'NO_EFFECTIVE_SESSION'
            when g.requires_real_data and not is_real_data(e.data_source) then 'SYNTHETIC_DATA'
            else 'GATE_' || upper(g.metric) end as failure_code,
       g.suggested_fix, g.description, g.requires_real_data,
       e.session_id, e.session_id is not null as has_evidence
  from bot_evidence e
  join gate_rules g on g.from_stage = e.stage and g.enabled
 cross join lateral (
       select case g.metric
                  when 'trades_count' then e.trades_count::numeric
                  when 'realized_pnl' then e.realized_pnl
                  when 'profit_factor' then e.profit_factor::numeric
                  when 'pnl_or_pf' then e.profit_factor::numeric
                  when 'max_drawdown_pct' then e.max_drawdown_pct::numeric
                  when 'sharpe' then e.sharpe::numeric
                  when 'sortino' then e.sortino::numeric
                  when 'win_rate' then e.win_rate::numeric
                  when 'expectancy' then e.expectancy::numeric
                  when 'sqn' then e.sqn::numeric
                  when 'last_run_ok' then case when e.last_job_status = 'FAILED' then 0 else 1 end
                  when 'data_is_real' then case when e.session_id is null then null
                                                when is_real_data(e.data_source) then 1 else 0 end
                  when 'risk_engine_verified' then 0
                  when 'expectancy_ci_low' then e.expectancy_ci_low::numeric
                  when 'deflated_sharpe' then e.deflated_sharpe::numeric
                  when 'roster_active' then case when roster_disabled(e.bot_id) then 0 else 1 end
              end as actual) v;
