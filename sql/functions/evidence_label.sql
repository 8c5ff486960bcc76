-- The evidence label of a session (docs/evidence.md), from its out-of-sample trades,
-- the lower bound of its expectancy interval and its deflated Sharpe ratio:
--   insufficient  no walk-forward evidence (a session from before it existed), or
--                 fewer out-of-sample trades than settings.evidence_min_trades
--   strong        deflated Sharpe ≥ settings.evidence_strong_dsr and the expectancy
--                 interval entirely above zero
--   moderate      deflated Sharpe ≥ settings.evidence_moderate_dsr
--   weak          otherwise
-- The six-argument form is the rule, with the thresholds given: a query over many
-- sessions reads the three settings once (bot_evidence) instead of per row.
create or replace function evidence_label(p_trades int, p_expectancy_ci_low double precision,
                                          p_deflated_sharpe double precision, p_min_trades int,
                                          p_strong_dsr double precision, p_moderate_dsr double precision)
returns text
language sql immutable as $$
    select case
        when p_deflated_sharpe is null or coalesce(p_trades, 0) < p_min_trades then 'insufficient'
        when p_deflated_sharpe >= p_strong_dsr and p_expectancy_ci_low > 0 then 'strong'
        when p_deflated_sharpe >= p_moderate_dsr then 'moderate'
        else 'weak'
    end
$$;

create or replace function evidence_label(p_trades int, p_expectancy_ci_low double precision,
                                          p_deflated_sharpe double precision)
returns text
language sql stable as $$
    select evidence_label(p_trades, p_expectancy_ci_low, p_deflated_sharpe, setting('evidence_min_trades')::int,
                          setting('evidence_strong_dsr')::double precision,
                          setting('evidence_moderate_dsr')::double precision)
$$;
