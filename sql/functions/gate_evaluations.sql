-- Every enabled gate rule of each bot's current stage, evaluated on the bot's
-- evidence: one row per (bot, rule), gate_evaluations_of applied to bot_evidence
-- (the metric definitions, failure codes and demotion reasons are there).
create or replace view gate_evaluations as
select g.*
  from bot_evidence e
 cross join lateral gate_evaluations_of(e.bot_id, e.stage, e.session_id, e.data_source, e.trades_count, e.realized_pnl,
                                        e.profit_factor, e.max_drawdown_pct, e.sharpe, e.sortino, e.win_rate, e.expectancy,
                                        e.sqn, e.last_job_status, e.expectancy_ci_low, e.expectancy_ci_high,
                                        e.deflated_sharpe, e.roster_disabled) g;
