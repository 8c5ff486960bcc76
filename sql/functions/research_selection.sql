-- A research run's selection from the rows recorded so far (finish_research_run
-- stores it; GET /api/backtests/latest?partial=1 reads it live): per instrument and
-- per (archetype, instrument) the best *qualified* row by score, ties by net PnL,
-- then profit factor, then cell — an instrument without a qualified row shows its
-- best row, marked qualified false, never left out; "best_any" is the best of all
-- rows, qualified or not, kept for research; "failed_cells" counts FAILED rows.
create or replace function research_selection(p_run uuid) returns jsonb
language sql stable as $$
    with ranked as (
        select r.id,
               row_number() over (partition by r.instrument
                                  order by r.qualified desc, r.score desc nulls last, r.net_pnl desc nulls last,
                                           r.profit_factor desc nulls last, r.cell) as in_instrument,
               row_number() over (partition by r.archetype_slug, r.instrument
                                  order by r.qualified desc, r.score desc nulls last, r.net_pnl desc nulls last,
                                           r.profit_factor desc nulls last, r.cell) as in_pair,
               row_number() over (order by r.score desc nulls last, r.net_pnl desc nulls last,
                                  r.profit_factor desc nulls last, r.cell) as overall
          from research_rows r where r.run_id = p_run and r.status = 'COMPLETED'
    )
    select jsonb_build_object(
        'instruments', coalesce((select jsonb_object_agg(r.instrument, research_row_doc(r))
                                   from ranked k join research_rows r on r.id = k.id where k.in_instrument = 1), '{}'),
        'pairs', coalesce((select jsonb_agg(research_row_doc(r) order by r.archetype_slug, r.instrument)
                             from ranked k join research_rows r on r.id = k.id where k.in_pair = 1), '[]'),
        'best_any', (select research_row_doc(r) from ranked k join research_rows r on r.id = k.id where k.overall = 1),
        'failed_cells', (select count(*) from research_rows r where r.run_id = p_run and r.status = 'FAILED'))
$$;
