-- GET /api/research/runs/:id: the run, its selection and a page of its rows —
-- sorted by p_sort 'score' (best first: score, then net PnL, then profit factor) or
-- 'cell' — with p_limit rows from p_offset and the total; p_archetype and
-- p_instrument (null: all) narrow the rows to one grid, as the heat map reads it.
-- Null for an unknown run.
create or replace function api_research_run(p_id uuid, p_sort text, p_limit int, p_offset int,
                                            p_archetype text default null, p_instrument text default null)
returns jsonb
language plpgsql stable set plan_cache_mode = force_custom_plan as $$
begin
    return (
        with picked as (
            select y.* from research_rows y
             where y.run_id = p_id
               and (p_archetype is null or y.archetype_slug = p_archetype)
               and (p_instrument is null or y.instrument = p_instrument)
        )
        select research_run_doc(r) || jsonb_build_object(
                   'selection', r.selection,
                   'rowsTotal', (select count(*) from picked),
                   'rows', coalesce((
                       select jsonb_agg(research_row_doc(x) || jsonb_build_object('status', x.status, 'errorCode', x.error_code,
                                                                                      'errorMessage', x.error_message)
                                        order by p.ord)
                         from (select y.id, row_number() over (
                                         order by case when p_sort = 'cell' then y.cell end,
                                                  y.score desc nulls last, y.net_pnl desc nulls last,
                                                  y.profit_factor desc nulls last, y.cell) as ord
                                 from picked y
                                 order by ord limit p_limit offset p_offset) p
                         join research_rows x on x.id = p.id), '[]'))
          from research_runs r where r.id = p_id
    );
end
$$;
