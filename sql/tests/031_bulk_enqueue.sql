-- enqueue_jobs: many jobs of one kind in one statement, each with its audit event
-- (the statement-level insert trigger), one wake-up, the one-active-job rule, and
-- bad input that writes nothing.
begin;
select plan(14);

truncate bot_jobs, job_run_events, activity_events, bots, archetypes, instruments cascade;
select seed_starter_pack(
    '[{"symbol":"MNQ","name":"Micro E-mini Nasdaq-100","tick_size":0.25,"multiplier":2,"currency":"USD","commission_per_side":0.57,"exchange":"CME","kind":"future"}]',
    '[{"slug":"a1","name":"Bot A1","family":"breakout","instrument":"MNQ","timeframe":"5m","default_params":{"n":1},"param_bounds":{},"params_hash":"h1"},
      {"slug":"a2","name":"Bot A2","family":"breakout","instrument":"MNQ","timeframe":"1m","default_params":{"n":2},"param_bounds":{},"params_hash":"h2"}]',
    false);
create function pg_temp.bot(p_name text) returns uuid language sql as $$ select id from bots where name = p_name $$;

-- ---------------------------------------------------------------- bot-less, in bulk
select is((select count(*)::int from enqueue_jobs('NOOP', array(select jsonb_build_object('i', g) from generate_series(1, 500) g))),
          500, '500 no-ops in one call');
select is((select count(*)::int from bot_jobs where job_type = 'NOOP' and status = 'QUEUED' and status_reason = 'REQUESTED'),
          500, 'all QUEUED with the reason asked for');
select is((select count(*)::int from job_run_events e join bot_jobs j on j.id = e.job_id
            where e.from_status is null and e.to_status = 'QUEUED' and e.reason_code = 'REQUESTED'),
          500, 'each has its null → QUEUED event');
select is((select array_agg((payload ->> 'i')::int order by created_at, (payload ->> 'i')::int) = array(select generate_series(1, 500))
             from bot_jobs where job_type = 'NOOP'), true, 'payloads kept, one job each');
select is((select max_attempts from bot_jobs where job_type = 'NOOP' limit 1),
          (select max_attempts from job_kinds where kind = 'NOOP'), 'max_attempts from the kind');

-- ---------------------------------------------------------------- with bots: one active job per bot and kind
select is((select count(*)::int from enqueue_jobs('BACKTEST_BASELINE', array['{}', '{}']::jsonb[],
                                                  array[pg_temp.bot('Bot A1'), pg_temp.bot('Bot A2')], null, now(), 'TEST')),
          2, 'one baseline each for two bots');
select is((select count(*)::int from activity_events where event_type = (select queued_event from job_kinds where kind = 'BACKTEST_BASELINE')),
          2, 'the kind''s queued_event goes to the feed for each');
select is((select count(*)::int from enqueue_jobs('BACKTEST_BASELINE', array['{}', '{}']::jsonb[],
                                                  array[pg_temp.bot('Bot A1'), pg_temp.bot('Bot A1')])),
          0, 'a bot with an active job of the kind gets no second one (nor does a repeat in the batch)');
select is((select created from enqueue_job(pg_temp.bot('Bot A1'), 'BACKTEST_BASELINE')), false,
          'enqueue_job (through enqueue_jobs) still answers created = false');

-- ---------------------------------------------------------------- bad input writes nothing
select throws_ok($$select * from enqueue_jobs('NOPE', array['{}']::jsonb[])$$, '22023', 'UNKNOWN_JOB_KIND', 'unknown kind');
select throws_ok($$select * from enqueue_jobs('NOOP', array['{}', '{}']::jsonb[], array[null]::uuid[])$$, '22023', 'INVALID_PARAMETER',
                 'bots and payloads of different lengths');
select throws_ok($$select * from enqueue_jobs('EVOLVE', array['{}', '{}']::jsonb[],
                                              array[pg_temp.bot('Bot A2'), '00000000-0000-0000-0000-000000000001']::uuid[])$$,
                 'P0002', 'BOT_NOT_FOUND', 'an unknown bot refuses the whole batch');
update bots set status = 'KILLED' where name = 'Bot A2';
select throws_ok($$select * from enqueue_jobs('EVOLVE', array['{}']::jsonb[], array[pg_temp.bot('Bot A2')])$$,
                 'P0001', 'BOT_KILLED', 'a killed bot takes no jobs');
select is((select count(*)::int from bot_jobs where job_type = 'EVOLVE'), 0, 'and none of those calls wrote a job');

select * from finish();
rollback;
