-- One research row as the API and the exports show it (GET /api/backtests/latest's
-- tile): {archetype, instrument, timeframe, params, params_hash, metrics: {trades,
-- sharpe, pnl, win_rate, max_dd, profit_factor, return_pct, deflated_sharpe,
-- expectancy_ci: [low, high]}, data_source, real_share, qualified,
-- insufficient_data, score, penalty_tags, cell}. Every number is finite (the
-- columns are finite_double).
create or replace function research_row_doc(p_row research_rows) returns jsonb
language sql stable as $$
    select jsonb_build_object(
        'archetype', p_row.archetype_slug, 'instrument', p_row.instrument, 'timeframe', p_row.timeframe,
        'params', p_row.params, 'params_hash', p_row.params_hash,
        'metrics', jsonb_build_object('trades', p_row.trades, 'sharpe', p_row.sharpe, 'pnl', p_row.net_pnl,
                                      'win_rate', p_row.win_rate, 'max_dd', p_row.max_drawdown_usd,
                                      'profit_factor', p_row.profit_factor, 'return_pct', p_row.return_pct,
                                      'deflated_sharpe', p_row.deflated_sharpe,
                                      'expectancy_ci', jsonb_build_array(p_row.expectancy_ci_low, p_row.expectancy_ci_high)),
        'data_source', p_row.data_source, 'real_share', p_row.real_share, 'qualified', p_row.qualified,
        'insufficient_data', p_row.insufficient_data, 'score', p_row.score, 'penalty_tags', to_jsonb(p_row.penalty_tags),
        'cell', p_row.cell)
$$;
