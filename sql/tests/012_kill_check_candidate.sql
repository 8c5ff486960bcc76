-- The kill check reads the bot's evidence (bot_evidence), not "the latest
-- session": a rejected IMPROVE candidate is recorded at iteration + 1 while the
-- bot stays put, so its drawdown — however bad, however recent — judges nothing.
-- Before migration 0005 the kill check kept its own copy of "latest effective
-- session" without the iteration filter, and a rejected candidate killed a
-- healthy bot (KILL_DRAWDOWN on a session the bot never traded). An adopted
-- candidate does become the evidence, and then it kills.
begin;
select plan(12);

\ir fixtures/autonomy_fleet.sql

\ir fixtures/rejected_candidate.sql

-- Bot 1: its own evidence is fine (4% drawdown, an hour old); a candidate tried
-- ten minutes ago drew down 75%, past kill_drawdown_pct (60), and was rejected.
create temp table own as
    select pg_temp.session(pg_temp.bot('Bot 1'), jsonb_build_object('completed_at', now() - interval '1 hour',
                                                                     'max_drawdown_pct', 4)) as id;
create temp table cand as
    select pg_temp.candidate(pg_temp.bot('Bot 1'), jsonb_build_object('completed_at', now() - interval '10 minutes',
                                                                      'max_drawdown_pct', 75, 'realized_pnl', -9000,
                                                                      'profit_factor', 0.4)) as id;
-- Bot 2: no evidence of its own at all, only a rejected candidate.
select pg_temp.candidate(pg_temp.bot('Bot 2'), jsonb_build_object('completed_at', now() - interval '5 minutes',
                                                                   'max_drawdown_pct', 90));

select results_eq($$select s.iteration, b.iteration, s.completed_at > (select completed_at from backtest_sessions
                                                                        where id = (select id from own))
                      from backtest_sessions s join bots b on b.id = s.bot_id where s.id = (select id from cand)$$,
                  $$values (1, 0, true)$$,
                  'setup: the candidate is at iteration 1, the bot at 0, and the candidate is the later session');
select ok((select max_drawdown_pct from backtest_sessions where id = (select id from cand))
          >= (select (value #>> '{}')::float8 from settings where key = 'kill_drawdown_pct'),
          'setup: the candidate''s drawdown is past kill_drawdown_pct');

-- A queued job of Bot 1's, which a kill would cancel.
select job_id from enqueue_job(pg_temp.bot('Bot 1'), 'BACKTEST_REFRESH');

create temp table tick as select supervisor_tick() as doc;
select is((select (doc ->> 'killed')::int from tick), 0, 'supervisor_tick kills nobody');
select is((select status from bots where id = pg_temp.bot('Bot 1')), 'ACTIVE',
          'a rejected candidate''s drawdown does not kill the bot');
select is((select count(*)::int from activity_events where event_type = 'KILL_TRIGGERED'), 0, 'no KILL_TRIGGERED');
select is((select status from bots where id = pg_temp.bot('Bot 2')), 'ACTIVE',
          'nor does it kill a bot whose only session is a rejected candidate');
select is((select status from bot_jobs where bot_id = pg_temp.bot('Bot 1') and job_type = 'BACKTEST_REFRESH'), 'QUEUED',
          'its queued job is not cancelled');
select is((select inputs ->> 'session_id' from autonomy_scores where bot_id = pg_temp.bot('Bot 1')
            order by computed_at desc, id desc limit 1), (select id::text from own),
          'the bot is scored on its own session');
select is((select count(*)::int from autonomy_scores where bot_id = pg_temp.bot('Bot 2')), 0,
          'a bot with only a rejected candidate has no evidence to score');

-- Adopted: the candidate's iteration and hash become the bot's (as record_improvement
-- does), so the candidate is now the evidence — and the invariant holds on it.
update bots set iteration = 1, params_hash = 'candidate' where id = pg_temp.bot('Bot 1');
select supervisor_tick();
select is((select status from bots where id = pg_temp.bot('Bot 1')), 'KILLED',
          'once adopted, the same drawdown kills');
select results_eq($$select payload ->> 'reason_code', payload #>> '{details,session_id}' from activity_events
                     where event_type = 'KILL_TRIGGERED' and bot_id = pg_temp.bot('Bot 1')$$,
                  $$select 'KILL_DRAWDOWN', (select id::text from cand)$$,
                  'KILL_TRIGGERED / KILL_DRAWDOWN names the adopted session');
select is((select status from bots where id = pg_temp.bot('Bot 2')), 'ACTIVE', 'Bot 2 is still untouched');

select * from finish();
rollback;
