-- The roster policy across simulated weekly research runs: keep → watch → disabled →
-- re-enabled, with events and history; a DISABLED pair's bots are held by the
-- planner (ROSTER_DISABLED) and fail the roster_active gate; a MANUAL run never
-- moves the roster.
begin;
select plan(17);

truncate bot_jobs, job_run_events, activity_events, research_runs, roster, roster_history, bots, archetypes,
         instruments cascade;
select seed_starter_pack(
    '[{"symbol":"ES","name":"E-mini S&P 500","tick_size":0.25,"multiplier":50,"currency":"USD","commission_per_side":2.25,"exchange":"CME","kind":"future"}]',
    '[{"slug":"a","name":"Rostered","family":"opening_range","instrument":"ES","timeframe":"5m","default_params":{"k":2},"param_bounds":{},"params_hash":"h"}]',
    false);

-- One weekly (or manual) run whose only cell has these OOS figures, finished.
create function pg_temp.week(p_sharpe float8, p_pf float8, p_trades int default 40, p_trigger text default 'WEEKLY')
returns uuid language plpgsql as $$
declare v_run uuid;
begin
    insert into research_runs (trigger, iso_week, window_start, window_end, scope, state, progress_done, progress_total, started_at)
    values (p_trigger, '2026-W48', '2026-06-01', '2026-11-28', '{"archetypes": ["a"]}', 'RUNNING', 1, 1, now())
    returning id into v_run;
    insert into research_rows (run_id, cell, status, archetype_slug, instrument, timeframe, params, params_hash, real_share,
                               sessions_tested, trades, net_pnl, sharpe, profit_factor, qualified, insufficient_data)
    values (v_run, 0, 'COMPLETED', 'a', 'ES', '5m', '{"k": 2}', 'h', 1, 120, p_trades, 100, p_sharpe, p_pf,
            research_qualified(p_trades), not research_qualified(p_trades));
    perform finish_research_run(v_run);
    return v_run;
end $$;
create function pg_temp.state() returns text language sql as $$
    select state || '/' || weeks_failing from roster where archetype_slug = 'a' and instrument = 'ES' $$;
create function pg_temp.last_event() returns text language sql as $$
    select event_type from activity_events where event_type like 'ROSTER_%' order by id desc limit 1 $$;

select pg_temp.week(1.0, 1.5);
select is(pg_temp.state(), 'ACTIVE/0', 'week 1 passes (trades 40, Sharpe 1.0 > 0.5, PF 1.5 > 1.2): kept');
select is(pg_temp.last_event(), 'ROSTER_KEPT', 'ROSTER_KEPT');

select pg_temp.week(0.3, 1.1);
select is(pg_temp.state(), 'WATCH/1', 'week 2 below both thresholds: watch, one week failing');
select is(pg_temp.last_event(), 'ROSTER_WATCH', 'ROSTER_WATCH');
select isnt((select recommendation from roster where archetype_slug = 'a'), null, 'with a recommendation');

select pg_temp.week(0.4, 1.1, 40, 'MANUAL');
select is(pg_temp.state(), 'WATCH/1', 'a manual run does not move the roster');

select pg_temp.week(0.2, 1.0);
select is(pg_temp.state(), 'DISABLED/2', 'week 3, the second consecutive week below both: disabled');
select is(pg_temp.last_event(), 'ROSTER_DISABLED', 'ROSTER_DISABLED');
select is((select state from roster_status where archetype_slug = 'a'), 'DISABLED', 'roster_status shows it');
select is((select active_bots from roster_status where archetype_slug = 'a'), 1, 'and the ACTIVE bots it holds back');

select planner_tick();
select is((select reason_code from autonomy_bot_decisions d join bots b on b.id = d.bot_id where b.archetype_slug = 'a'
            order by d.id desc limit 1), 'ROSTER_DISABLED', 'the planner holds the pair''s bots: ROSTER_DISABLED');
select is((select decision from autonomy_bot_decisions order by id desc limit 1), 'BLOCKED', 'as BLOCKED');
select is((select actual from gate_evaluations g join bots b on b.id = g.bot_id
            where b.archetype_slug = 'a' and g.metric = 'roster_active' and g.to_stage = 'PAPER'), 0::numeric,
          'and promotion is blocked: roster_active 0');

select pg_temp.week(0.6, 1.3, 25);
select is(pg_temp.state(), 'ACTIVE/0', 'a passing week re-enables it');
select is(pg_temp.last_event(), 'ROSTER_REENABLED', 'ROSTER_REENABLED');
select is((select string_agg(coalesce(from_state, '∅') || '→' || to_state, ' ' order by id) from roster_history),
          '∅→ACTIVE ACTIVE→WATCH WATCH→DISABLED DISABLED→ACTIVE', 'roster_history keeps every change');

-- Sharpe below but profit factor above: watched, but the disabling count restarts.
select pg_temp.week(0.4, 1.3);
select is(pg_temp.state(), 'WATCH/0', 'below one threshold only: watch, no failing week counted');

select * from finish();
rollback;
