-- Gate status per bot (a DBA's view): the next stage, whether every rule passes
-- and the failures [{rule_id, metric, comparator, threshold, actual, reason_code,
-- suggested_fix}] of the PROMOTE rules. LIVE bots have no next stage (next_stage
-- null, passed_all null). KEEP rules: gate_evaluations where kind = 'KEEP'.
create or replace view gate_status as
select b.id as bot_id, b.stage,
       (stage_ladder())[array_position(stage_ladder(), b.stage) + 1] as next_stage,
       case when count(g.rule_id) = 0 then null else bool_and(g.passed) end as passed_all,
       bool_or(g.has_evidence) as has_evidence,
       coalesce(jsonb_agg(jsonb_build_object('rule_id', g.rule_id, 'metric', g.metric, 'comparator', g.comparator,
                                             'threshold', g.threshold, 'actual', g.actual,
                                             'reason_code', g.failure_code, 'suggested_fix', g.suggested_fix)
                          order by g.rule_id) filter (where not g.passed), '[]') as failures
  from bots b
  left join gate_evaluations g on g.bot_id = b.id and g.kind = 'PROMOTE'
 group by b.id, b.stage;
