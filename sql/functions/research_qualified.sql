-- Whether a research row may be selected: at least settings.research_min_trades
-- out-of-sample trades (10). Fewer is insufficient_data: kept, never selected.
create or replace function research_qualified(p_trades int) returns boolean
language sql stable as $$
    select coalesce(p_trades, 0) >= setting('research_min_trades')::int
$$;
