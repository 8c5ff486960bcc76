-- GET /api/bots and GET /api/bots/:id show the session the bot is judged on
-- (bot_evidence): a rejected IMPROVE candidate, recorded later at iteration + 1,
-- never replaces the bot's own numbers in the list. Before migration 0005 the
-- summary's latestBacktest was "the latest COMPLETED session of the bot", so the
-- list showed the rejected candidate's PnL as the bot's. Also: a bot whose only
-- session is a rejected candidate has no evidence (null), and evidence follows an
-- adopted candidate.
begin;
select plan(13);

\ir fixtures/autonomy_fleet.sql

-- The session block the summary shows and the PnL in it (one place to name the key).
create function pg_temp.shown(p_doc jsonb) returns jsonb language sql as $$ select p_doc -> 'evidence' $$;
create function pg_temp.summary(p_name text) returns jsonb language sql as $$
    select api_bot_summary(b, n, e) from bots b join bot_now n on n.bot_id = b.id join bot_evidence e on e.bot_id = b.id
     where b.name = p_name $$;
create function pg_temp.listed(p_name text) returns jsonb language sql as $$
    select x from jsonb_array_elements(api_bots() -> 'bots') x where x ->> 'name' = p_name $$;

\ir fixtures/rejected_candidate.sql

-- Bot 1 earned +500 on its own session; a candidate tried later lost 1234 and was rejected.
create temp table own as
    select pg_temp.session(pg_temp.bot('Bot 1'), jsonb_build_object('completed_at', now() - interval '1 hour',
                                                                     'realized_pnl', 500, 'trades_count', 31)) as id;
create temp table cand as
    select pg_temp.candidate(pg_temp.bot('Bot 1'), jsonb_build_object('completed_at', now() - interval '10 minutes',
                                                                      'realized_pnl', -1234, 'trades_count', 7)) as id;
-- Bot 2: only a rejected candidate.
select pg_temp.candidate(pg_temp.bot('Bot 2'), jsonb_build_object('completed_at', now() - interval '5 minutes',
                                                                   'realized_pnl', -77));

select is((pg_temp.shown(pg_temp.summary('Bot 1')) ->> 'realizedPnl')::numeric, 500::numeric,
          'api_bot_summary shows the bot''s own PnL, not the rejected candidate''s');
select is(pg_temp.shown(pg_temp.summary('Bot 1')) ->> 'id', (select id::text from own), 'and its own session id');
select is((pg_temp.shown(pg_temp.summary('Bot 1')) ->> 'tradesCount')::int, 31, 'and its own trade count');
select is((pg_temp.shown(pg_temp.listed('Bot 1')) ->> 'realizedPnl')::numeric, 500::numeric,
          'api_bots lists the same PnL');
select is(pg_temp.listed('Bot 1'), pg_temp.summary('Bot 1'), 'api_bots lists exactly api_bot_summary');
select is(pg_temp.shown(pg_temp.summary('Bot 2')), 'null'::jsonb,
          'a bot whose only session is a rejected candidate shows no evidence (null)');
select is((pg_temp.shown(api_bot(pg_temp.bot('Bot 1'))) ->> 'realizedPnl')::numeric, 500::numeric,
          'GET /api/bots/:id (api_bot) shows the bot''s own PnL too');

-- The response shape: evidence replaces latestBacktest; the badge carries elapsedSeconds.
select ok(pg_temp.summary('Bot 1') ? 'evidence', 'the summary has evidence');
select ok(not pg_temp.summary('Bot 1') ? 'latestBacktest', 'and no latestBacktest');
select ok(pg_temp.summary('Bot 1') -> 'now' ? 'elapsedSeconds', 'now carries elapsedSeconds');
select is((pg_temp.shown(pg_temp.summary('Bot 1')) ->> 'iteration')::int, 0, 'evidence says which iteration it is');

-- Adopted: the candidate becomes the bot's iteration, and its numbers are the evidence.
update bots set iteration = 1, params_hash = 'candidate' where id = pg_temp.bot('Bot 1');
select is((pg_temp.shown(pg_temp.summary('Bot 1')) ->> 'realizedPnl')::numeric, -1234::numeric,
          'after adoption the candidate''s PnL is the bot''s');
select is(pg_temp.shown(pg_temp.summary('Bot 1')) ->> 'id', (select id::text from cand), 'with its session id');

select * from finish();
rollback;
