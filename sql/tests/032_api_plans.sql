-- The host's per-request document functions (api_*) are PL/pgSQL: PostgreSQL 15 parses
-- and plans a SQL function that it cannot inline on every call, PL/pgSQL once per
-- connection (docs/performance.md: /api/ready's function 10.3 k → 21.7 k calls/s).
-- api_backtest_summary and api_bot_summary stay SQL: they are row helpers, called
-- once per row inside another function's statement.
begin;
select plan(2);

select is_empty($$
    select p.proname from pg_proc p
     where p.pronamespace = 'public'::regnamespace and p.proname like 'api\_%'
       and p.prolang = (select oid from pg_language where lanname = 'sql')
       and p.proname not in ('api_backtest_summary', 'api_bot_summary')$$,
    'every api_* document function is PL/pgSQL');

-- A function with optional filters plans each call with its arguments: one cached
-- generic plan would serve "every bot" and "this bot" alike (a scan of the whole
-- feed for one bot's events).
select is_empty($$
    select p.proname from pg_proc p
     where p.proname in ('api_feed', 'api_backtests', 'api_orders', 'api_paper_runs', 'api_positions', 'api_research_run')
       and not coalesce('plan_cache_mode=force_custom_plan' = any(p.proconfig), false)$$,
    'the api_* functions with optional filters plan each call with its arguments');

select * from finish();
rollback;
