-- Settings carry their own definition (kind, default_value, min_value,
-- max_value, allowed, nullable) and the CHECK settings_value_fits holds every
-- value to it — set_setting's and a DBA's direct UPDATE alike; setting(name) is
-- the one accessor and has no fallback (an unknown name is P0002
-- SETTING_NOT_FOUND). Advisory-lock keys are named rows of advisory_locks, read
-- through lock_key(name). Before migration 0005 the ranges lived in one CASE
-- over key names (settings without a branch took any value, e.g. a text setting
-- set to a number, simulated_equity 500, kill_drawdown_pct 0.05), defaults lived
-- as fallback literals in the readers, and the timer's leader lock shared
-- planner_tick's key.
begin;
select plan(27);

-- ---------------------------------------------------------------- values are held to their definition
select throws_ok($$select set_setting('backtest_concurrency', '65')$$, '22023', 'SETTING_OUT_OF_RANGE',
                 'set_setting: backtest_concurrency 65 (max 64) → 22023 SETTING_OUT_OF_RANGE');
select throws_ok($$select set_setting('backtest_concurrency', '"three"')$$, '22023', 'SETTING_OUT_OF_RANGE',
                 'set_setting: a string for an integer setting → 22023 SETTING_OUT_OF_RANGE');
select throws_ok($$select set_setting('no_such_setting', '1')$$, 'P0002', 'SETTING_NOT_FOUND',
                 'set_setting: unknown name → P0002 SETTING_NOT_FOUND');
select throws_ok($$update settings set value = '65' where key = 'backtest_concurrency'$$, '23514', null,
                 'a direct UPDATE above max_value → 23514');
select throws_ok($$update settings set value = '500' where key = 'simulated_equity'$$, '23514', null,
                 'a direct UPDATE below min_value → 23514 (simulated_equity min 1000)');
select throws_ok($$update settings set value = '0.05' where key = 'kill_drawdown_pct'$$, '23514', null,
                 'kill_drawdown_pct 0.05 (min 0.1) → 23514');
select throws_ok($$update settings set value = '5' where key = 'schema_owner'$$, '23514', null,
                 'a number for a text setting → 23514');
select throws_ok($$update settings set value = '"MANUAL"' where key = 'promotion_mode'$$, '23514', null,
                 'a text value outside allowed → 23514');
select throws_ok($$update settings set value = '60.5' where key = 'job_lease_seconds'$$, '23514', null,
                 'a fraction for an integer setting → 23514');
select throws_ok($$update settings set value = 'null' where key = 'job_lease_seconds'$$, '23514', null,
                 'null for a setting that is not nullable → 23514');
select lives_ok($$update settings set value = 'null' where key = 'metrics_reset_at'$$, 'null where nullable is fine');
select lives_ok($$update settings set value = '1000' where key = 'simulated_equity'$$, 'min_value itself is inside the range');
select lives_ok($$update settings set value = '64' where key = 'backtest_concurrency'$$, 'and so is max_value');

-- ---------------------------------------------------------------- the accessors: no fallback
select throws_ok($$select setting('nope')$$, 'P0002', 'SETTING_NOT_FOUND', 'setting(''nope'') → P0002 SETTING_NOT_FOUND');
select throws_ok($$select lock_key('nope')$$, 'P0002', 'LOCK_NOT_FOUND', 'an unknown lock name → P0002 LOCK_NOT_FOUND');

-- ---------------------------------------------------------------- advisory locks: one home
select is((select count(*)::int from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = 'public' and p.prosrc ~ 'pg_(try_)?advisory' and p.prosrc !~ 'lock_key\('), 0,
          'every function that takes an advisory lock names it through lock_key');
select is((select count(*)::int from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = 'public' and p.prosrc ~ 'pg_(try_)?advisory_\w*lock\w*\(\s*[0-9]'), 0,
          'and none passes a key literal');

select ok(lock_key('timer_leader') <> lock_key('planner_tick'),
          'the timer''s leader lock is not planner_tick''s (a manual planner_tick() never waits for the timer)');

-- ---------------------------------------------------------------- setting(name)
select is((select count(*)::int from settings where setting(key) is distinct from value), 0,
          'setting(name) returns every row''s value');
select is(setting('job_lease_seconds')::int, (select (value #>> '{}')::int from settings where key = 'job_lease_seconds'),
          'typed by the caller''s cast');

-- ---------------------------------------------------------------- every row's own definition
select is((select count(*)::int from settings
            where not setting_value_fits(kind, default_value, min_value, max_value, allowed, nullable)), 0,
          'every default_value fits its own definition');
select lives_ok($$update settings set value = default_value$$, 'so every setting can be put back to its default');
select is((select count(*)::int from settings where value is distinct from default_value), 0, 'and then all are');
select throws_ok($$update settings set default_value = '99' where key = 'backtest_concurrency'$$, '23514',
                 'new row for relation "settings" violates check constraint "settings_default_fits"',
                 'a default outside the row''s own range is refused');
select throws_ok($$insert into settings (key, value, description, kind, default_value, min_value, max_value)
                   values ('x_test', '5', 'test', 'integer', '1', 0, 3)$$, '23514',
                 'new row for relation "settings" violates check constraint "settings_value_fits"',
                 'a new row''s value is held to its own range');
select throws_ok($$insert into settings (key, value, description, kind, default_value, min_value, max_value)
                   values ('x_test', '1', 'test', 'integer', '1', 5, 1)$$, '23514', null,
                 'min_value above max_value is refused');
select is((select count(*)::int from settings where description = '' or kind is null), 0,
          'every setting has a kind and a description');

select * from finish();
rollback;
