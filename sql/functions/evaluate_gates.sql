-- The PROMOTE gate rules out of the bot's current stage, each with its actual value on
-- the bot's effective (post-reset) latest completed session, the threshold,
-- pass/fail and a suggested fix. Definitions: gate_evaluations. No rows for a
-- LIVE bot (no next stage) or an unknown bot.
create or replace function evaluate_gates(p_bot uuid)
returns table (rule_id int, from_stage text, to_stage text, metric text, comparator text, threshold numeric,
               actual numeric, passed boolean, suggested_fix text)
language sql stable as $$
    select g.rule_id, g.from_stage, g.to_stage, g.metric, g.comparator, g.threshold, g.actual, g.passed,
           g.suggested_fix
      from gate_evaluations g
     where g.bot_id = p_bot and g.kind = 'PROMOTE'
     order by g.rule_id
$$;
