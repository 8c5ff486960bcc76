-- Readiness document for GET /api/ready: the database answers, its version,
-- and how many migrations are applied.
create or replace function api_ready() returns jsonb
language plpgsql stable as $$
begin
    return (
        select jsonb_build_object(
            'status', 'ready',
            'database', 'reachable',
            'serverVersion', current_setting('server_version'),
            'migrationsApplied', (select count(*) from schema_migrations),
            'checkedAt', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )
    );
end
$$;
