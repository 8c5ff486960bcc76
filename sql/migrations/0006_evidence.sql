-- Evidence that counts (docs/evidence.md):
--   backtest_sessions  a baseline is walk-forward research: the headline metrics
--                      (trades_count, realized_pnl, sharpe, …) are the out-of-sample
--                      aggregate; new columns hold the bootstrap intervals, the
--                      deflated Sharpe ratio and its trials, and the folds
--   settings           baseline_trading_days 20 → 120, walk-forward and bootstrap
--                      settings, evidence-label thresholds
--   gate_rules         expectancy_ci_low > 0 and deflated_sharpe ≥ 0.90 into PAPER
--                      and SHADOW; clearer fixes for the rules synthetic data fails

alter table backtest_sessions
    add column sessions_tested        int check (sessions_tested >= 0),
    -- The out-of-sample span (the test folds); window_from/window_to stay the whole baseline.
    add column oos_from               date,
    add column oos_to                 date,
    add column folds                  jsonb check (folds is null or jsonb_typeof(folds) = 'array'),
    -- The walk-forward spec as run, the whole window's summary, the bootstrap and
    -- deflated-Sharpe inputs: the engine's `evidence` object, verbatim.
    add column walk_forward           jsonb check (walk_forward is null or jsonb_typeof(walk_forward) = 'object'),
    add column sharpe_ci_low          double precision,
    add column sharpe_ci_high         double precision,
    add column expectancy_ci_low      double precision,
    add column expectancy_ci_high     double precision,
    add column profit_factor_ci_low   double precision,
    add column profit_factor_ci_high  double precision,
    add column deflated_sharpe        double precision check (deflated_sharpe between 0 and 1),
    add column trials                 int check (trials >= 1),
    add constraint backtest_sessions_intervals_ordered check (
        (sharpe_ci_low is null or sharpe_ci_low <= sharpe_ci_high)
        and (expectancy_ci_low is null or expectancy_ci_low <= expectancy_ci_high)
        and (profit_factor_ci_low is null or profit_factor_ci_low <= profit_factor_ci_high)),
    add constraint backtest_sessions_oos_window check (oos_from is null or oos_from < oos_to);

insert into settings (key, value, description, kind, default_value, min_value, max_value, allowed, nullable) values
    ('walk_forward_folds', '4', 'test folds of a baseline: its sessions are cut into folds + 1 blocks, block 0 is never tested',
     'integer', '4', 1, 20, null, false),
    ('walk_forward_mode', '"anchored"', 'in-sample span of each fold: anchored (every earlier session) or rolling (the block before)',
     'text', '"anchored"', null, null, array['anchored', 'rolling'], false),
    ('bootstrap_resamples', '2000', 'block-bootstrap resamples behind the 95% intervals',
     'integer', '2000', 1000, 100000, null, false),
    ('bootstrap_block_sessions', '5', 'sessions per bootstrap block (5 = a trading week keeps volatility clusters together)',
     'integer', '5', 1, 60, null, false),
    ('evidence_min_trades', '20', 'out-of-sample trades below which evidence is "insufficient"',
     'integer', '20', 1, 100000, null, false),
    ('evidence_moderate_dsr', '0.75', 'deflated Sharpe at or above which evidence is at least "moderate"',
     'number', '0.75', 0, 1, null, false),
    ('evidence_strong_dsr', '0.95', 'deflated Sharpe at or above which evidence is "strong" (with the expectancy interval above zero)',
     'number', '0.95', 0, 1, null, false);

-- A longer baseline: 120 sessions (about six months) in walk-forward folds. A value a DBA changed stays.
update settings set default_value = '120', value = case when value = '20' then '120'::jsonb else value end,
       description = 'sessions of bars a baseline covers (split into walk_forward_folds + 1 blocks)'
 where key = 'baseline_trading_days';

alter table gate_rules drop constraint gate_rules_metric_check;
alter table gate_rules add constraint gate_rules_metric_check check (metric in (
    'trades_count', 'realized_pnl', 'profit_factor', 'pnl_or_pf', 'max_drawdown_pct', 'sharpe', 'sortino', 'win_rate',
    'expectancy', 'sqn', 'last_run_ok', 'data_is_real', 'risk_engine_verified', 'expectancy_ci_low', 'deflated_sharpe'));

insert into gate_rules (kind, from_stage, to_stage, metric, comparator, threshold, description, suggested_fix)
select 'PROMOTE', f, t, m, c, th, d, s
  from (values
    ('expectancy_ci_low', '>', 0::numeric,
     'the lower bound of the 95% block-bootstrap interval of out-of-sample expectancy per trade is above zero',
     'interval crosses zero: more sessions or a different variant (the edge may be luck)'),
    ('deflated_sharpe', '>=', 0.90,
     'deflated Sharpe ratio at least 0.90: the out-of-sample Sharpe beats the best expected from the lineage''s trials',
     'deflated Sharpe too low for the configurations tried: more sessions, or fewer trials in this lineage')
  ) as r(m, c, th, d, s)
 cross join (values ('LAB', 'PAPER'), ('PAPER', 'SHADOW')) as st(f, t);

update gate_rules set description = replace(description, 'in the latest effective backtest', 'out of sample')
 where metric = 'trades_count';
update gate_rules
   set suggested_fix = 'needs real data: set GAUNTLET_DATA_DIR to bar files of this instrument or configure Databento/Polygon'
 where metric = 'data_is_real';
update gate_rules
   set suggested_fix = 'needs real data (set GAUNTLET_DATA_DIR or a provider key); then ' || suggested_fix
 where requires_real_data and metric <> 'data_is_real';

-- claim_jobs gains the walk-forward settings and the lineage's trials (new columns).
drop function if exists claim_jobs(text, text[], int);
