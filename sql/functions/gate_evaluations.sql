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
--                         (bot_evidence.roster_disabled), else 1 — the weekly research's veto on promotion
-- Paper metrics read paper_evidence (real-data paper sessions since the bot entered
-- its stage):
--   paper_days            paper trading days; paper_trades  trades closed on paper
--   paper_risk_breaches   refusals the bot caused + circuit-breaker trips
--   paper_expectancy_outside_ci  how far (USD per trade) the paper expectancy lies
--                         outside the backtest's 95% expectancy interval, 0 inside;
--                         null (fails) without paper trades or without an interval
--   paper_max_drawdown_pct  the paper account's drawdown, % of its starting cash
-- Every other metric reads the session's out-of-sample aggregate (the headline columns).
-- A rule with requires_real_data also fails on synthetic evidence. A bot without
-- an effective session has null actuals and fails every rule (has_evidence false);
-- a KEEP rule on paper_max_drawdown_pct has evidence once a real-data paper sample
-- exists. failure_code PAPER_EVIDENCE_PENDING: paper days or trades still short, or no
-- paper trade yet — time will fix it, so it does not count as a failed cycle
-- (supervisor_tick). demotion_reason: the reason code a failing KEEP rule demotes with.
create or replace view gate_evaluations as
select e.bot_id, g.id as rule_id, g.kind, g.from_stage, g.to_stage, g.metric, g.comparator, g.threshold, v.actual,
       coalesce(
           case when not x.has_evidence then false
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
            when not x.has_evidence then
                case when g.metric = 'paper_max_drawdown_pct' then 'NO_PAPER_EVIDENCE' else 'NO_EFFECTIVE_SESSION' end
            -- paper evidence still building up (days, trades, no trade yet): time, not performance
            when g.metric in ('paper_days', 'paper_trades')
                 or (g.metric = 'paper_expectancy_outside_ci' and v.actual is null) then 'PAPER_EVIDENCE_PENDING'
            when g.requires_real_data and not is_real_data(e.data_source) then 'SYNTHETIC_DATA'
            else 'GATE_' || upper(g.metric) end as failure_code,
       g.suggested_fix, g.description, g.requires_real_data,
       e.session_id,
       x.has_evidence,
       g.demotion_reason
  from bot_evidence e
  join gate_rules g on g.from_stage = e.stage and g.enabled
  -- paper metrics exist for PAPER rules only; other stages skip the lookup
  left join paper_evidence p on p.bot_id = e.bot_id and e.stage = 'PAPER'
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
                  when 'roster_active' then case when e.roster_disabled then 0 else 1 end
                  when 'paper_days' then p.paper_days::numeric
                  when 'paper_trades' then p.paper_trades::numeric
                  when 'paper_risk_breaches' then p.risk_breaches::numeric
                  when 'paper_expectancy_outside_ci' then
                      case when p.paper_expectancy is not null and e.expectancy_ci_low is not null then
                          round(greatest(e.expectancy_ci_low - p.paper_expectancy, p.paper_expectancy - e.expectancy_ci_high,
                                         0)::numeric, 2) end
                  when 'paper_max_drawdown_pct' then p.max_drawdown_pct
              end as actual) v
 -- What the rule judges exists: the effective backtest session, or for the paper
 -- drawdown KEEP rule a real-data paper sample. Without it a rule fails, and the
 -- supervisor neither demotes on it nor counts it.
 cross join lateral (
       select case when g.metric = 'paper_max_drawdown_pct' then v.actual is not null
                   else e.session_id is not null end as has_evidence) x;
