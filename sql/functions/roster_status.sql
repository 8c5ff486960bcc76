-- The roster as a DBA reads it: every judged (archetype, instrument) with its state,
-- consecutive failing weeks, recommendation, the evidence it was judged on (trades,
-- Sharpe, profit factor of the weekly best row), the run and when; and how many
-- ACTIVE bots it holds back when DISABLED.
create or replace view roster_status as
select r.archetype_slug, r.instrument, r.state, r.weeks_failing, r.recommendation,
       (r.evidence #>> '{metrics,trades}')::int as trades, (r.evidence #>> '{metrics,sharpe}')::double precision as sharpe,
       (r.evidence #>> '{metrics,profit_factor}')::double precision as profit_factor,
       r.last_run_id, x.iso_week, r.updated_at,
       (select count(*)::int from bots b where b.archetype_slug = r.archetype_slug and b.instrument = r.instrument
           and b.status = 'ACTIVE') as active_bots
  from roster r left join research_runs x on x.id = r.last_run_id;
