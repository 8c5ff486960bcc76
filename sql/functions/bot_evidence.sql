-- A bot's evidence — the one definition every judgement reads (gates, scores,
-- the kill check, kickoff, the planner, GET /api/bots, GET /api/bots/:id, the UI):
-- the latest COMPLETED backtest session of the bot's current iteration completed
-- at or after its effective metrics reset (the later of settings.metrics_reset_at
-- and bots.metrics_reset_at; null when none), plus the bot's latest finished
-- non-NOOP job (for the "no critical error in the last run" gate). The session's
-- headline metrics are its out-of-sample aggregate (a walk-forward baseline),
-- beside its intervals, deflated Sharpe ratio and evidence label.
--   * A rejected IMPROVE candidate is recorded at iteration + 1 while the bot
--     stays put, so it judges nothing; an adopted one moves the bot's iteration
--     with it.
--   * A reset hides older sessions everywhere at once (kept, not deleted).
-- Besides, roster_disabled: whether the roster DISABLED the bot's (archetype,
-- instrument) pair — the weekly research's veto, which holds the bot in the planner
-- (ROSTER_DISABLED) and fails its roster_active gate; a pair never judged is not.
-- One index probe per bot (backtest_sessions_bot_completed_ok, bot_jobs_bot) and
-- no per-row function that reads a table: the settings are scalar subqueries, read
-- once per query. Cheap for one bot when filtered by bot_id.
create or replace view bot_evidence as
select b.id as bot_id, b.name, b.stage, b.status, b.pinned, b.created_at, b.iteration, b.generation,
       r.effective_reset_at,
       s.id as session_id, s.job_id as session_job_id, s.completed_at, s.data_source, s.bars_tested,
       s.trades_count, s.realized_pnl, s.sharpe, s.sortino, s.profit_factor, s.win_rate, s.expectancy, s.sqn,
       s.max_drawdown_usd,
       -- % of starting equity as the engine recorded it; else USD over settings.simulated_equity.
       coalesce(s.max_drawdown_pct,
                s.max_drawdown_usd / nullif((select setting('simulated_equity')::numeric), 0) * 100) as max_drawdown_pct,
       s.params_hash as session_params_hash, s.iteration as session_iteration,
       s.trace_id as session_trace_id,
       lj.id as last_job_id, lj.job_type as last_job_type, lj.status as last_job_status,
       lj.error_code as last_job_error_code, lj.finished_at as last_job_finished_at,
       -- Walk-forward evidence (null on sessions recorded before it existed).
       s.sessions_tested, s.oos_from, s.oos_to, s.sharpe_ci_low, s.sharpe_ci_high, s.expectancy_ci_low,
       s.expectancy_ci_high, s.profit_factor_ci_low, s.profit_factor_ci_high, s.deflated_sharpe, s.trials,
       case when s.id is not null then
           evidence_label(s.trades_count, s.expectancy_ci_low, s.deflated_sharpe,
                          (select setting('evidence_min_trades')::int),
                          (select setting('evidence_strong_dsr')::double precision),
                          (select setting('evidence_moderate_dsr')::double precision)) end
           as evidence,
       coalesce(ro.state = 'DISABLED', false) as roster_disabled
  from bots b
 cross join lateral (
       select effective_reset_at(b.metrics_reset_at, (select setting('metrics_reset_at') #>> '{}')::timestamptz)
                  as effective_reset_at) r
  left join roster ro on ro.archetype_slug = b.archetype_slug and ro.instrument = b.instrument
  left join lateral (
       select s.* from backtest_sessions s
        where s.bot_id = b.id and s.status = 'COMPLETED'
          and s.completed_at >= coalesce(r.effective_reset_at, '-infinity')
          and s.iteration = b.iteration
        order by s.completed_at desc
        limit 1) s on true
  left join lateral (
       select j.id, j.job_type, j.status, j.error_code, j.finished_at from bot_jobs j
        where j.bot_id = b.id and j.finished_at is not null and j.job_type <> 'NOOP'
        order by j.created_at desc
        limit 1) lj on true;
