-- Each bot's effective evidence: its effective reset time (the later of
-- settings.metrics_reset_at and bots.metrics_reset_at), the latest COMPLETED
-- backtest session of its current params completed at or after it (null when
-- none), and its latest
-- finished non-NOOP job (for the
-- "no critical error in the last run" gate). Every effective metric, gate and
-- score reads sessions through this view, so a reset hides older sessions
-- everywhere at once (they are kept, not deleted). One index probe per bot
-- (backtest_sessions_bot_completed_ok, bot_jobs_bot); cheap for one bot when
-- filtered by bot_id.
create or replace view bot_effective_session as
select b.id as bot_id, b.name, b.stage, b.status, b.pinned, b.created_at, b.iteration, b.generation,
       r.effective_reset_at,
       s.id as session_id, s.job_id as session_job_id, s.completed_at, s.data_source, s.trades_count,
       s.realized_pnl, s.sharpe, s.sortino, s.profit_factor, s.win_rate, s.expectancy, s.sqn,
       s.max_drawdown_usd,
       -- % of starting equity as the engine recorded it; else USD over settings.simulated_equity.
       coalesce(s.max_drawdown_pct,
                s.max_drawdown_usd / nullif((select (value #>> '{}')::numeric from settings
                                              where key = 'simulated_equity'), 0) * 100) as max_drawdown_pct,
       s.trace_id as session_trace_id,
       lj.id as last_job_id, lj.job_type as last_job_type, lj.status as last_job_status,
       lj.error_code as last_job_error_code, lj.finished_at as last_job_finished_at
  from bots b
 cross join lateral (
       select greatest((select (value #>> '{}')::timestamptz from settings where key = 'metrics_reset_at'),
                       b.metrics_reset_at) as effective_reset_at) r
  left join lateral (
       select s.* from backtest_sessions s
        where s.bot_id = b.id and s.status = 'COMPLETED'
          and s.completed_at >= coalesce(r.effective_reset_at, '-infinity')
          -- Evidence for the parameters the bot has now: a rejected improvement
          -- candidate is recorded at iteration + 1 while the bot stays put, so
          -- it judges nothing; an adopted one moves the bot's iteration with it.
          and s.iteration <= b.iteration
        order by s.completed_at desc
        limit 1) s on true
  left join lateral (
       select j.id, j.job_type, j.status, j.error_code, j.finished_at from bot_jobs j
        where j.bot_id = b.id and j.finished_at is not null and j.job_type <> 'NOOP'
        order by j.created_at desc
        limit 1) lj on true;
