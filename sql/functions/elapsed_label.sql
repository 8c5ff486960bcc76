-- Elapsed time for badge labels: "42s", "1m 05s", "1h 05m" (never negative).
create or replace function elapsed_label(p_seconds bigint) returns text
language sql immutable as $$
    select case when s < 60 then s || 's'
                when s < 3600 then (s / 60) || 'm ' || lpad((s % 60)::text, 2, '0') || 's'
                else (s / 3600) || 'h ' || lpad(((s % 3600) / 60)::text, 2, '0') || 'm' end
      from (select greatest(coalesce(p_seconds, 0), 0) as s) x
$$;
