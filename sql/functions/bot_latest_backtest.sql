-- The latest COMPLETED backtest session of each bot (by completed_at).
create or replace view bot_latest_backtest as
select distinct on (s.bot_id)
       s.bot_id, s.id as session_id, s.job_id, s.instrument, s.timeframe, s.bars_tested, s.data_source,
       s.params_hash, s.iteration, s.trades_count, s.realized_pnl, s.sharpe, s.sortino, s.max_drawdown_usd,
       s.max_drawdown_pct, s.profit_factor, s.win_rate, s.expectancy, s.sqn, s.started_at, s.completed_at,
       s.trace_id
  from backtest_sessions s
 where s.status = 'COMPLETED'
 order by s.bot_id, s.completed_at desc, s.created_at desc;
