-- GET /api/research/runs/:id: the run, its selection and a page of its rows —
-- sorted by p_sort 'score' (best first: score, then net PnL, then profit factor) or
-- 'cell' — with p_limit rows from p_offset and the total; null for an unknown run.
create or replace function api_research_run(p_id uuid, p_sort text, p_limit int, p_offset int) returns jsonb
language sql stable as $$
    select research_run_doc(r) || jsonb_build_object(
               'selection', r.selection,
               'rowsTotal', (select count(*) from research_rows x where x.run_id = r.id),
               'rows', coalesce((
                   select jsonb_agg(research_row_doc(x) || jsonb_build_object('status', x.status, 'errorCode', x.error_code,
                                                                                  'errorMessage', x.error_message)
                                    order by p.ord)
                     from (select y.id, row_number() over (
                                     order by case when p_sort = 'cell' then y.cell end,
                                              y.score desc nulls last, y.net_pnl desc nulls last,
                                              y.profit_factor desc nulls last, y.cell) as ord
                             from research_rows y where y.run_id = r.id
                             order by ord limit p_limit offset p_offset) p
                     join research_rows x on x.id = p.id), '[]'))
      from research_runs r where r.id = p_id
$$;
