-- Completes a research run whose cells have all been recorded (record_research_row
-- calls it after the last one): COMPLETED with the selection, or ERROR when every
-- cell failed (message: how many and the first error). The selection, per
-- instrument and per (archetype, instrument): the best *qualified* row by score,
-- ties by net PnL, then profit factor (never an insufficient_data row); "best_any"
-- keeps the best of all rows, qualified or not, for research. An instrument with
-- no qualified row is listed with qualified false and its best row, never left out.
-- Returns the run's state.
create or replace function finish_research_run(p_run uuid) returns text
language plpgsql volatile as $$
declare
    v_done int;
    v_failed int;
    v_first_error text;
    v_selection jsonb;
begin
    select count(*), count(*) filter (where status = 'FAILED'),
           min(error_code || ': ' || coalesce(error_message, '')) filter (where status = 'FAILED')
      into v_done, v_failed, v_first_error
      from research_rows where run_id = p_run;
    if v_done > 0 and v_failed = v_done then
        update research_runs
           set state = 'ERROR', finished_at = now(),
               message = format('all %s cells failed (first: %s)', v_failed, v_first_error)
         where id = p_run;
        return 'ERROR';
    end if;

    with ranked as (
        select r.id, row_number() over (partition by r.instrument
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
               'failed_cells', v_failed)
      into v_selection;
    update research_runs
       set state = 'COMPLETED', finished_at = now(), selection = v_selection,
           message = case when v_failed > 0 then format('%s of %s cells failed', v_failed, v_done) end
     where id = p_run;
    return 'COMPLETED';
end
$$;
