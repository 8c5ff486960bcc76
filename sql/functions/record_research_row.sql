-- Stores one grid cell's row of a research run — COMPLETED with the worker's
-- metrics, or FAILED with the error — scores and tags it (research_qualified,
-- research_score, research_penalty_tags), counts it in the run's progress and, when
-- it is the run's last cell, finishes the run (finish_research_run). The cell comes
-- from the RESEARCH_CELL job's payload {run_id, cell, archetype, instrument,
-- timeframe, params, params_hash, grid_edge}. A cell already recorded is left as it
-- was (a late duplicate cannot count twice). real_share follows the data source
-- (is_real_data: one source per cell, so 0 or 1). Returns the row's id, null for a duplicate.
create or replace function record_research_row(p_job bot_jobs, p_status text, p_metrics jsonb,
                                               p_error_code text default null, p_error_message text default null)
returns bigint
language plpgsql volatile as $$
declare
    p jsonb := p_job.payload;
    m jsonb := coalesce(p_metrics, '{}');
    v_id bigint;
    v_row research_rows%rowtype;
    v_run research_runs%rowtype;
begin
    insert into research_rows (run_id, cell, job_id, status, archetype_slug, instrument, timeframe, params, params_hash,
        grid_edge, data_source, real_share, sessions_tested, trades, net_pnl, return_pct, sharpe, in_sample_sharpe,
        sortino, profit_factor, win_rate, max_drawdown_usd, max_drawdown_pct, expectancy, sharpe_ci_low,
        sharpe_ci_high, expectancy_ci_low, expectancy_ci_high, deflated_sharpe, trials, error_code, error_message)
    values ((p ->> 'run_id')::uuid, (p ->> 'cell')::int, p_job.id, p_status, p ->> 'archetype', p ->> 'instrument',
        p ->> 'timeframe', p -> 'params', p ->> 'params_hash', coalesce((p ->> 'grid_edge')::boolean, false),
        m ->> 'data_source',
        case when p_status = 'COMPLETED' then case when is_real_data(m ->> 'data_source') then 1 else 0 end end, (m ->> 'sessions_tested')::int, (m ->> 'trades')::int,
        (m ->> 'net_pnl')::float8, (m ->> 'return_pct')::float8, (m ->> 'sharpe')::float8,
        (m ->> 'in_sample_sharpe')::float8, (m ->> 'sortino')::float8, (m ->> 'profit_factor')::float8,
        (m ->> 'win_rate')::float8, (m ->> 'max_drawdown_usd')::float8, (m ->> 'max_drawdown_pct')::float8,
        (m ->> 'expectancy')::float8, (m ->> 'sharpe_ci_low')::float8, (m ->> 'sharpe_ci_high')::float8,
        (m ->> 'expectancy_ci_low')::float8, (m ->> 'expectancy_ci_high')::float8, (m ->> 'deflated_sharpe')::float8,
        (m ->> 'trials')::int, p_error_code, p_error_message)
    on conflict (run_id, cell) do nothing
    returning * into v_row;
    if v_row.id is null then
        return null;
    end if;
    update research_rows r
       set qualified = q.ok, insufficient_data = not q.ok,
           score = research_score(v_row), penalty_tags = research_penalty_tags(v_row)
      from (select v_row.status = 'COMPLETED' and research_qualified(v_row.trades) as ok) q
     where r.id = v_row.id;

    update research_runs set progress_done = progress_done + 1 where id = v_row.run_id returning * into v_run;
    if v_run.progress_done >= v_run.progress_total and v_run.state = 'RUNNING' then
        perform finish_research_run(v_run.id);
    end if;
    return v_row.id;
end
$$;
