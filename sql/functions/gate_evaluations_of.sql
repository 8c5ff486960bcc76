-- Every enabled gate rule of a bot's current stage, evaluated on the bot's evidence:
-- the arguments are the bot_evidence columns of the same names (p_bot = bot_id,
-- p_stage = stage, p_session = session_id, the rest p_<column>). One row per rule;
-- kind PROMOTE rules lead to the next stage, KEEP rules must keep passing to stay
-- (to_stage = where a failing bot is demoted to). The one home of the gate rules'
-- evaluation: the view gate_evaluations applies it to bot_evidence, supervisor_tick
-- to the evidence it read once for the whole tick. A SQL function the planner
-- inlines, so both plan as one join (columns, not the bot_evidence row: a whole
-- row would be copied into every reference while planning, ~10 ms per query).
-- Metric definitions:
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
-- its stage), looked up for PAPER bots only:
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
create or replace function gate_evaluations_of(
    p_bot uuid, p_stage text, p_session uuid, p_data_source text, p_trades_count int, p_realized_pnl numeric,
    p_profit_factor double precision, p_max_drawdown_pct double precision, p_sharpe double precision,
    p_sortino double precision, p_win_rate double precision, p_expectancy double precision, p_sqn double precision,
    p_last_job_status text, p_expectancy_ci_low double precision, p_expectancy_ci_high double precision,
    p_deflated_sharpe double precision, p_roster_disabled boolean)
returns table (bot_id uuid, rule_id int, kind text, from_stage text, to_stage text, metric text, comparator text,
               threshold numeric, actual numeric, passed boolean, failure_code text, suggested_fix text,
               description text, requires_real_data boolean, session_id uuid, has_evidence boolean,
               demotion_reason text)
language sql stable as $$
select p_bot, g.id as rule_id, g.kind, g.from_stage, g.to_stage, g.metric, g.comparator, g.threshold, v.actual,
       coalesce(
           case when not x.has_evidence then false
                when g.requires_real_data and not is_real_data(p_data_source) then false
                when g.metric = 'pnl_or_pf' and p_realized_pnl > 0 then true
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
            when g.requires_real_data and not is_real_data(p_data_source) then 'SYNTHETIC_DATA'
            else 'GATE_' || upper(g.metric) end as failure_code,
       g.suggested_fix, g.description, g.requires_real_data,
       p_session,
       x.has_evidence,
       g.demotion_reason
  from gate_rules g
  -- Paper metrics exist for PAPER rules only: other stages skip the lookup, and a
  -- PAPER bot's is read once, not once per rule (an aggregate: one row per bot).
 cross join lateral (
       select max(p.paper_days) as paper_days, max(p.paper_trades) as paper_trades,
              max(p.risk_breaches) as risk_breaches, max(p.paper_expectancy) as paper_expectancy,
              max(p.max_drawdown_pct) as max_drawdown_pct
         from paper_evidence p where p.bot_id = p_bot and p_stage = 'PAPER') p
 cross join lateral (
       select case g.metric
                  when 'trades_count' then p_trades_count::numeric
                  when 'realized_pnl' then p_realized_pnl
                  when 'profit_factor' then p_profit_factor::numeric
                  when 'pnl_or_pf' then p_profit_factor::numeric
                  when 'max_drawdown_pct' then p_max_drawdown_pct::numeric
                  when 'sharpe' then p_sharpe::numeric
                  when 'sortino' then p_sortino::numeric
                  when 'win_rate' then p_win_rate::numeric
                  when 'expectancy' then p_expectancy::numeric
                  when 'sqn' then p_sqn::numeric
                  when 'last_run_ok' then case when p_last_job_status = 'FAILED' then 0 else 1 end
                  when 'data_is_real' then case when p_session is null then null
                                                when is_real_data(p_data_source) then 1 else 0 end
                  when 'risk_engine_verified' then 0
                  when 'expectancy_ci_low' then p_expectancy_ci_low::numeric
                  when 'deflated_sharpe' then p_deflated_sharpe::numeric
                  when 'roster_active' then case when p_roster_disabled then 0 else 1 end
                  when 'paper_days' then p.paper_days::numeric
                  when 'paper_trades' then p.paper_trades::numeric
                  when 'paper_risk_breaches' then p.risk_breaches::numeric
                  when 'paper_expectancy_outside_ci' then
                      case when p.paper_expectancy is not null and p_expectancy_ci_low is not null then
                          round(greatest(p_expectancy_ci_low - p.paper_expectancy,
                                         p.paper_expectancy - p_expectancy_ci_high, 0)::numeric, 2) end
                  when 'paper_max_drawdown_pct' then p.max_drawdown_pct
              end as actual) v
 -- What the rule judges exists: the effective backtest session, or for the paper
 -- drawdown KEEP rule a real-data paper sample. Without it a rule fails, and the
 -- supervisor neither demotes on it nor counts it.
 cross join lateral (
       select case when g.metric = 'paper_max_drawdown_pct' then v.actual is not null
                   else p_session is not null end as has_evidence) x
 where g.from_stage = p_stage and g.enabled
$$;
