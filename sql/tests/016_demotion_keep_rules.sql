-- Demotion by KEEP rules (gate_rules.kind = 'KEEP'): an ACTIVE bot in PAPER or
-- SHADOW must keep profit_factor >= 1.0 and max_drawdown_pct <= 30 on its
-- evidence; supervisor_tick demotes one that fails any of them one stage down
-- (PAPER → LAB, SHADOW → PAPER) through transition_stage with reason
-- KEEP_RULES_FAILED, actor supervisor, and the failing rules in the DEMOTED
-- payload and bot_stage_events.details. Just above / at the threshold a bot
-- stays; just past it, it goes. A bot without evidence (after a metrics reset)
-- and a bot that is not ACTIVE are never demoted. KEEP rules are looser than the
-- promotion into the stage, so a demoted bot is not promoted straight back.
-- Before migration 0005 nothing demoted a bot: a PAPER bot whose edge had gone
-- stayed in PAPER for ever.
begin;
select plan(25);

\ir fixtures/autonomy_fleet.sql
create function pg_temp.new_bot(p_name text) returns uuid language sql as $$
    insert into bots (name, archetype_slug, instrument, timeframe, params, params_hash, created_at)
    values (p_name, 'g1', 'MNQ', '5m', '{}', 'h-' || p_name, now() - interval '1 day') returning id $$;
create function pg_temp.failures(p_name text) returns jsonb language sql as $$
    select payload -> 'failures' from activity_events
     where event_type = 'DEMOTED' and bot_id = pg_temp.bot(p_name) order by id desc limit 1 $$;
create function pg_temp.failed_metrics(p_name text) returns text[] language sql as $$
    select array_agg(f ->> 'metric' order by f ->> 'metric') from jsonb_array_elements(pg_temp.failures(p_name)) f $$;

select pg_temp.new_bot(n) from unnest(array['Bot 6', 'Bot 7', 'Bot 8', 'Bot 9', 'Bot 10', 'Bot 11']) n;
-- Synthetic evidence, so no PAPER bot can be promoted (PAPER → SHADOW needs real data).
-- A profit factor below 1 comes with a loss, as it does in a real session.
select pg_temp.session(pg_temp.bot('Bot 1'), '{"profit_factor": 1.01}');                        -- just above 1.0
select pg_temp.session(pg_temp.bot('Bot 2'), '{"profit_factor": 1.0}');                         -- at
select pg_temp.session(pg_temp.bot('Bot 3'), '{"profit_factor": 0.99, "realized_pnl": -50}');   -- just below
select pg_temp.session(pg_temp.bot('Bot 4'), '{"max_drawdown_pct": 29.9}');                     -- just within 30
select pg_temp.session(pg_temp.bot('Bot 5'), '{"max_drawdown_pct": 30}');                       -- at
select pg_temp.session(pg_temp.bot('Bot 6'), '{"max_drawdown_pct": 30.1}');                     -- just past
select pg_temp.session(pg_temp.bot('Bot 7'), '{"profit_factor": 0.99, "realized_pnl": -50}');   -- SHADOW, failing
select pg_temp.session(pg_temp.bot('Bot 8'), '{}');                                             -- SHADOW, fine
select pg_temp.session(pg_temp.bot('Bot 9'), '{"profit_factor": 0.5, "realized_pnl": -900, "max_drawdown_pct": 45}');
select pg_temp.session(pg_temp.bot('Bot 10'), '{"profit_factor": 0.5, "realized_pnl": -900, "max_drawdown_pct": 45}');
select pg_temp.session(pg_temp.bot('Bot 11'), '{"profit_factor": 0.5, "realized_pnl": -900}');
update bots set stage = 'PAPER' where name not in ('Bot 7', 'Bot 8');
update bots set stage = 'SHADOW' where name in ('Bot 7', 'Bot 8');
-- Bot 10's failing session predates its metrics reset: it has no evidence.
update bots set metrics_reset_at = now() where name = 'Bot 10';
-- Bot 11 was superseded by a child: only ACTIVE bots are demoted.
update bots set status = 'SUPERSEDED' where name = 'Bot 11';

create temp table tick as select supervisor_tick() as doc;
select results_eq($$select name, stage from bots order by length(name), name$$,
                  $$values ('Bot 1', 'PAPER'), ('Bot 2', 'PAPER'), ('Bot 3', 'LAB'), ('Bot 4', 'PAPER'),
                           ('Bot 5', 'PAPER'), ('Bot 6', 'LAB'), ('Bot 7', 'PAPER'), ('Bot 8', 'SHADOW'),
                           ('Bot 9', 'LAB'), ('Bot 10', 'PAPER'), ('Bot 11', 'PAPER')$$,
                  'profit factor 1.01 / 1.0 stay, 0.99 goes; drawdown 29.9 / 30 stay, 30.1 goes; SHADOW goes to PAPER');
select is((select (doc ->> 'demoted')::int from tick), 4, 'supervisor_tick reports four demotions');
select is((select count(*)::int from activity_events where event_type = 'DEMOTED'), 4, 'one DEMOTED per demoted bot');

-- Bot 3: profit factor 0.99.
select is((select payload - 'failures' - 'stage_event_id' from activity_events
            where event_type = 'DEMOTED' and bot_id = pg_temp.bot('Bot 3')),
          '{"from_stage": "PAPER", "to_stage": "LAB", "reason_code": "KEEP_RULES_FAILED", "actor": "supervisor"}'::jsonb,
          'DEMOTED PAPER → LAB, KEEP_RULES_FAILED, by the supervisor');
select is((select jsonb_agg(f - 'rule_id' - 'session_id') from jsonb_array_elements(pg_temp.failures('Bot 3')) f),
          '[{"metric": "profit_factor", "comparator": ">=", "threshold": 1.0, "actual": 0.99,
             "reason_code": "GATE_PROFIT_FACTOR"}]'::jsonb,
          'its payload lists the failing rule with threshold and actual');
-- (a rule leading down, PAPER → LAB, is a KEEP rule: gate_rules_stages allows nothing else)
select ok((select (f ->> 'rule_id')::int from jsonb_array_elements(pg_temp.failures('Bot 3')) f)
          = (select id from gate_rules where from_stage = 'PAPER' and to_stage = 'LAB' and metric = 'profit_factor'),
          'naming the PAPER KEEP rule');
select is((select f ->> 'session_id' from jsonb_array_elements(pg_temp.failures('Bot 3')) f),
          (select id::text from backtest_sessions where bot_id = pg_temp.bot('Bot 3')), 'and the session it failed on');
select results_eq($$select from_stage, to_stage, reason_code, actor, details from bot_stage_events
                     where bot_id = pg_temp.bot('Bot 3')$$,
                  $$select 'PAPER', 'LAB', 'KEEP_RULES_FAILED', 'supervisor', jsonb_build_object('failures', pg_temp.failures('Bot 3'))$$,
                  'a bot_stage_events row with reason KEEP_RULES_FAILED and the failures as details');
select is((select stage_reason_code from bots where name = 'Bot 3'), 'KEEP_RULES_FAILED', 'the bot''s stage reason');
select ok((select payload ->> 'stage_event_id' from activity_events where event_type = 'DEMOTED' and bot_id = pg_temp.bot('Bot 3'))
          = (select id::text from bot_stage_events where bot_id = pg_temp.bot('Bot 3')), 'the feed event names the stage event');

-- Bot 6: drawdown 30.1; Bot 9: both.
select is(pg_temp.failed_metrics('Bot 6'), array['max_drawdown_pct'], 'drawdown 30.1 fails max_drawdown_pct only');
select is((select (f ->> 'actual')::numeric from jsonb_array_elements(pg_temp.failures('Bot 6')) f), 30.1,
          'with its actual value');
select is(pg_temp.failed_metrics('Bot 9'), array['max_drawdown_pct', 'profit_factor'], 'a bot failing both lists both');

-- SHADOW → PAPER, once: one stage per cycle.
select results_eq($$select from_stage, to_stage, reason_code from bot_stage_events where bot_id = pg_temp.bot('Bot 7')$$,
                  $$values ('SHADOW', 'PAPER', 'KEEP_RULES_FAILED')$$, 'a failing SHADOW bot goes down one stage, to PAPER');
select ok((select id from gate_rules where from_stage = 'SHADOW' and to_stage = 'PAPER' and metric = 'profit_factor')
          = (select (f ->> 'rule_id')::int from jsonb_array_elements(pg_temp.failures('Bot 7')) f),
          'on the SHADOW KEEP rule');


-- Never without evidence, never a bot that is not ACTIVE, never a passing one.
select is((select count(*)::int from activity_events a join bots b on b.id = a.bot_id
            where a.event_type = 'DEMOTED' and b.name in ('Bot 1', 'Bot 2', 'Bot 4', 'Bot 5', 'Bot 8', 'Bot 10', 'Bot 11')), 0,
          'no DEMOTED for bots at or within the thresholds, without evidence, or not ACTIVE');
select is((select count(*)::int from bot_stage_events b where b.bot_id = pg_temp.bot('Bot 10')), 0,
          'Bot 10 (failing session before its metrics reset) is not demoted');

-- Hysteresis: the demoted bots are not promoted back in the same or the next cycle.
select is((select count(*)::int from activity_events where event_type in ('PROMOTED', 'GRADUATED')), 0,
          'no demoted bot is promoted back in the same cycle');
create temp table tick2 as select supervisor_tick() as doc;
select is((select count(*)::int from activity_events where event_type in ('PROMOTED', 'GRADUATED')), 0,
          'nor in the next one');
select results_eq($$select name, stage from bots where name in ('Bot 3', 'Bot 6', 'Bot 7', 'Bot 9') order by name$$,
                  $$values ('Bot 3', 'LAB'), ('Bot 6', 'LAB'), ('Bot 7', 'LAB'), ('Bot 9', 'LAB')$$,
                  'the next cycle takes the SHADOW bot, still failing, one more stage down; LAB bots stay');
select is((select (doc ->> 'demoted')::int from tick2), 1, 'one demotion in the second cycle');

-- A metrics reset protects a bot until it has new evidence.
update bots set stage = 'PAPER', metrics_reset_at = now() where name = 'Bot 3';
select supervisor_tick();
select is((select stage from bots where name = 'Bot 3'), 'PAPER', 'after a reset a bot is not demoted on its old session');
select pg_temp.session(pg_temp.bot('Bot 3'), jsonb_build_object('profit_factor', 0.8, 'realized_pnl', -10,
                                                                 'completed_at', now()));
select supervisor_tick();
select is((select stage from bots where name = 'Bot 3'), 'LAB', 'new failing evidence demotes it again');
select is((select count(*)::int from bot_stage_events where bot_id = pg_temp.bot('Bot 3') and reason_code = 'KEEP_RULES_FAILED'), 2,
          'two KEEP_RULES_FAILED stage events for Bot 3 in all');

-- The rules themselves (gate_rules.kind KEEP; to_stage is where a failing bot goes).
select is((select array_agg(kind || ' ' || from_stage || '→' || to_stage || ' ' || metric || ' ' || comparator || ' ' || threshold
                            order by from_stage, metric)
             from gate_rules where from_stage = any (array['PAPER', 'SHADOW']) and to_stage = any (array['LAB', 'PAPER'])),
          array['KEEP PAPER→LAB max_drawdown_pct <= 30', 'KEEP PAPER→LAB paper_max_drawdown_pct <= 30',
                'KEEP PAPER→LAB profit_factor >= 1.0',
                'KEEP SHADOW→PAPER max_drawdown_pct <= 30', 'KEEP SHADOW→PAPER profit_factor >= 1.0'],
          'the default KEEP rules');

select * from finish();
rollback;
