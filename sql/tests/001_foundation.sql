-- The foundation schema: migrations are recorded with checksums, settings
-- keys are constrained, api_ready() reports what /api/ready serves.
begin;
select plan(10);

select has_table('schema_migrations');
select col_is_pk('schema_migrations', 'version');
select ok((select count(*) from schema_migrations) >= 1, 'at least one migration is recorded');
select ok((select bool_and(checksum ~ '^[0-9a-f]{64}$') from schema_migrations), 'checksums are SHA-256 hex');

select has_table('settings');
-- A complete row (kind and default given), so the key CHECK is what refuses it.
select throws_ok($$insert into settings (key, value, description, kind, default_value) values ('Bad Key', '1', 'x', 'integer', '1')$$,
                 '23514', 'new row for relation "settings" violates check constraint "settings_key_check"',
                 'settings keys must be lower snake case');
select lives_ok($$insert into settings (key, value, description, kind, default_value) values ('good_key', '1', 'x', 'integer', '1')$$,
                'the same row with a lower snake case key is accepted');

select has_function('api_ready');
select is(api_ready() ->> 'status', 'ready', 'api_ready says ready');
select is((api_ready() ->> 'migrationsApplied')::int, (select count(*)::int from schema_migrations),
          'api_ready counts the applied migrations');

select * from finish();
rollback;
