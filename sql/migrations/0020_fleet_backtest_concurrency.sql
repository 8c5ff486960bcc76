-- The fleet-wide cap on RUNNING backtests was 2–4, sized for one 2-core machine
-- (issue 4). Workers on other machines (issue 13, docs/scaling.md) bring their own
-- cores, and a cap of 4 would leave them idle: the range is now 2–64. The default
-- stays 3; an operator raises it as workers are added (set_setting).
update settings
   set max_value = 64,
       description = 'backtests RUNNING at once, fleet-wide (2–64; raise it as workers are added); claim_jobs enforces it'
 where key = 'backtest_concurrency';
