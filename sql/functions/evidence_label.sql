-- The evidence label of a session (docs/evidence.md), from its out-of-sample trades,
-- the lower bound of its expectancy interval and its deflated Sharpe ratio:
--   insufficient  no walk-forward evidence (a session from before it existed), or
--                 fewer out-of-sample trades than settings.evidence_min_trades
--   strong        deflated Sharpe ≥ settings.evidence_strong_dsr and the expectancy
--                 interval entirely above zero
--   moderate      deflated Sharpe ≥ settings.evidence_moderate_dsr
--   weak          otherwise
create or replace function evidence_label(p_trades int, p_expectancy_ci_low double precision,
                                          p_deflated_sharpe double precision)
returns text
language sql stable as $$
    select case
        when p_deflated_sharpe is null or coalesce(p_trades, 0) < setting('evidence_min_trades')::int then 'insufficient'
        when p_deflated_sharpe >= setting('evidence_strong_dsr')::double precision
             and p_expectancy_ci_low > 0 then 'strong'
        when p_deflated_sharpe >= setting('evidence_moderate_dsr')::double precision then 'moderate'
        else 'weak'
    end
$$;
