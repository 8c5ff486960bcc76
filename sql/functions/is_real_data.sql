-- Whether bars from this data source are real evidence: any provider but the
-- embedded synthetic one (DESIGN.md: synthetic is never real evidence). Null (no
-- session) is not real. One home for the gates, the scores and research rows.
create or replace function is_real_data(p_data_source text) returns boolean
language sql immutable as $$
    select coalesce(p_data_source <> 'synthetic', false)
$$;
