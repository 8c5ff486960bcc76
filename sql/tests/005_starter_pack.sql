-- seed_starter_pack: creates instruments, archetypes and one STARTER bot per
-- archetype, emits STARTER_PACK_CREATED and kicks off baselines; a second call
-- creates nothing, enqueues nothing new and reports what exists; kickoff can be
-- turned off by argument or setting; bad catalogue input changes nothing.
begin;
select plan(22);

truncate bot_jobs, job_run_events, backtest_sessions, trade_logs, activity_events, integration_usage_events,
         worker_heartbeats, bots, archetypes, instruments cascade;
update settings set value = 'true' where key = 'auto_kickoff_backtests';

create temp table cat (instruments jsonb, archetypes jsonb);
insert into cat values (
    '[{"symbol":"MNQ","name":"Micro E-mini Nasdaq-100","tick_size":0.25,"multiplier":2,"currency":"USD","commission_per_side":0.57,"exchange":"CME","kind":"future"},
      {"symbol":"CL","name":"Crude Oil","tick_size":0.01,"multiplier":1000,"currency":"USD","commission_per_side":2.47,"exchange":"NYMEX","kind":"future"}]',
    '[{"slug":"orb-mnq","name":"Opening Range Breakout","family":"breakout","instrument":"MNQ","timeframe":"5m","default_params":{"range_minutes":15},"param_bounds":{"range_minutes":[5,60]},"params_hash":"aaaa"},
      {"slug":"vwap-cl","name":"VWAP Reversion","family":"reversion","instrument":"CL","timeframe":"1m","default_params":{"band":2.0},"param_bounds":{"band":[1,4]},"params_hash":"bbbb"},
      {"slug":"trend-mnq","name":"Trend Follower","family":"trend","instrument":"MNQ","timeframe":"15m","default_params":{"fast":10,"slow":30},"param_bounds":{},"params_hash":"cccc"}]');

create temp table first as select seed_starter_pack(instruments, archetypes, null) as r from cat;
select is(jsonb_array_length((select r -> 'created' from first)), 3, 'the first call creates a bot per archetype');
select is((select r -> 'existing' from first), '[]'::jsonb, 'nothing existed');
select is(((select r ->> 'enqueued' from first))::int, 3, 'and enqueues a baseline for each');
select is((select count(*)::int from bots where origin = 'STARTER'), 3, 'three starter bots');
select results_eq($$select name, instrument, timeframe, params, params_hash, stage, status, generation
                      from bots where archetype_slug = 'orb-mnq'$$,
                  $$values ('Opening Range Breakout'::text, 'MNQ'::text, '5m'::text, '{"range_minutes":15}'::jsonb,
                            'aaaa'::text, 'LAB'::text, 'ACTIVE'::text, 1)$$,
                  'a bot takes the archetype''s name, instrument, timeframe, defaults and supplied hash');
select is((select tick_value from instruments where symbol = 'CL'), 10.00::numeric, 'tick value = tick size × multiplier');
select is((select count(*)::int from activity_events where event_type = 'STARTER_PACK_CREATED'), 1, 'STARTER_PACK_CREATED once');
select is((select (payload ->> 'created')::int from activity_events where event_type = 'STARTER_PACK_CREATED'), 3,
          'its payload counts the created bots');
select is((select count(*)::int from activity_events where event_type = 'BACKTEST_QUEUED'), 3, 'BACKTEST_QUEUED per bot');
select is((select count(*)::int from bot_jobs where job_type = 'BACKTEST_BASELINE' and status = 'QUEUED'), 3, 'three baselines queued');

create temp table second as select seed_starter_pack(instruments, archetypes, null) as r from cat;
select is((select r -> 'created' from second), '[]'::jsonb, 'the second call creates nothing');
select is(jsonb_array_length((select r -> 'existing' from second)), 3, 'and reports the three that exist');
select is(((select r ->> 'enqueued' from second))::int, 0, 'enqueues nothing new');
select is(((select r ->> 'already_queued' from second))::int, 3, 'and says the baselines are already queued');
select is((select count(*)::int from bots), 3, 'still three bots');
select is((select count(*)::int from bot_jobs), 3, 'still three jobs');
select is((select count(*)::int from activity_events where event_type = 'STARTER_PACK_CREATED'), 1, 'no second STARTER_PACK_CREATED');

-- Kickoff off: by argument, or by setting.
update bot_jobs set status = 'CANCELLED', finished_at = now();
select is(((select seed_starter_pack(instruments, archetypes, false) from cat) ->> 'enqueued')::int, 0,
          'kickoff false in the request enqueues nothing');
update settings set value = 'false' where key = 'auto_kickoff_backtests';
select is(((select seed_starter_pack(instruments, archetypes, true) from cat) ->> 'enqueued')::int, 0,
          'kickoff disabled in settings enqueues nothing');
update settings set value = 'true' where key = 'auto_kickoff_backtests';
select is(((select seed_starter_pack(instruments, archetypes, null) from cat) ->> 'enqueued')::int, 3,
          'bots still missing a baseline get one on the next call');

-- Bad catalogue input changes nothing.
select throws_ok($$select seed_starter_pack('[]', '[{"slug":"x","name":"X","family":"f","instrument":"NOPE","timeframe":"5m","default_params":{},"param_bounds":{},"params_hash":"x"}]', true)$$,
                 '23503', null, 'an archetype on an unknown instrument is refused');
select is((select count(*)::int from archetypes), 3, 'and nothing was written');

select * from finish();
rollback;
