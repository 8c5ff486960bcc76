-- GET /api/bots/:id: the bot, its gate checklist (PROMOTE rules), its KEEP rules,
-- stage history, children, its whole lineage (the lineage view's rows of its root's
-- tree, first 300 by generation: every candidate with its outcome and evidence),
-- recent backtests, its paper account (evidence, equity) and jobs; null when unknown.
create or replace function api_bot(p_id uuid) returns jsonb
language plpgsql stable as $$
begin
    return (
        select api_bot_summary(b, n, e) || jsonb_build_object(
            'gates', coalesce((
                select jsonb_agg(jsonb_build_object('ruleId', g.rule_id, 'fromStage', g.from_stage, 'toStage', g.to_stage,
                                                    'metric', g.metric, 'comparator', g.comparator, 'threshold', g.threshold,
                                                    'actual', g.actual, 'passed', g.passed, 'suggestedFix', g.suggested_fix)
                                 order by g.rule_id)
                from evaluate_gates(b.id) g), '[]'::jsonb),
            -- What the bot must keep showing to stay in its stage (the supervisor demotes on a failure).
            'keepRules', coalesce((
                select jsonb_agg(jsonb_build_object('ruleId', g.rule_id, 'demotesTo', g.to_stage, 'metric', g.metric,
                                                    'comparator', g.comparator, 'threshold', g.threshold,
                                                    'actual', g.actual, 'passed', g.passed, 'hasEvidence', g.has_evidence)
                                 order by g.rule_id)
                from gate_evaluations g where g.bot_id = b.id and g.kind = 'KEEP'), '[]'::jsonb),
            'stageHistory', coalesce((
                select jsonb_agg(jsonb_build_object('fromStage', e.from_stage, 'toStage', e.to_stage,
                                                    'reasonCode', e.reason_code, 'actor', e.actor, 'at', e.created_at)
                                 order by e.created_at desc)
                from bot_stage_events e where e.bot_id = b.id), '[]'::jsonb),
            'children', coalesce((
                select jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name, 'generation', c.generation,
                                                    'status', c.status, 'createdAt', c.created_at) order by c.created_at)
                from bots c where c.parent_bot_id = b.id), '[]'::jsonb),
            'lineage', coalesce((
                select jsonb_agg(jsonb_build_object(
                           'botId', l.bot_id, 'name', l.name, 'generation', l.generation, 'parentBotId', l.parent_bot_id,
                           'status', l.status, 'stage', l.stage, 'outcome', l.outcome, 'outcomeReason', l.outcome_reason,
                           'paramsDiff', l.params_diff, 'sessionId', l.session_id, 'oosTrades', l.oos_trades,
                           'oosExpectancy', l.oos_expectancy, 'expectancyCiLow', l.expectancy_ci_low,
                           'deflatedSharpe', l.deflated_sharpe, 'parentDeflatedSharpe', l.parent_deflated_sharpe,
                           'trials', l.trials, 'evidence', l.evidence, 'stepScale', l.step_scale, 'decidedAt', l.decided_at)
                       order by l.generation, l.created_at)
                  from (select * from lineage l where l.root_bot_id = lineage_root(b)
                         order by l.generation, l.created_at limit 300) l), '[]'::jsonb),
            'backtests', coalesce((
                select jsonb_agg(x.doc order by x.created_at desc) from (
                    select api_backtest_summary(s) as doc, s.created_at from backtest_sessions s
                    where s.bot_id = b.id order by s.created_at desc limit 20) x), '[]'::jsonb),
            -- Its paper account (null without one): paper evidence, the last 500 equity
            -- samples and, beside them, the equity curve of the backtest the gates judge.
            'paper', (
                select jsonb_build_object(
                           'accountId', a.id, 'startingCash', a.starting_cash,
                           'backtestEquity', coalesce((select s.equity_curve from backtest_sessions s where s.id = e.session_id),
                                                      '[]'::jsonb),
                           'evidence', jsonb_build_object('since', p.since, 'days', p.paper_days, 'syntheticDays', p.synthetic_days,
                                                          'trades', p.paper_trades, 'realizedPnl', p.paper_realized_pnl,
                                                          'expectancy', round(p.paper_expectancy, 2),
                                                          'riskBreaches', p.risk_breaches, 'maxDrawdownPct', p.max_drawdown_pct),
                           'equity', coalesce((
                               select jsonb_agg(jsonb_build_object('at', q.at, 'equity', q.equity) order by q.at, q.id)
                                 from (select * from paper_equity q where q.account_id = a.id
                                        order by q.at desc, q.id desc limit 500) q), '[]'::jsonb))
                  from paper_accounts a join paper_evidence p on p.bot_id = a.bot_id
                 where a.bot_id = b.id),
            'jobs', coalesce((
                select jsonb_agg(x.doc order by x.created_at desc) from (
                    select jsonb_build_object('id', j.id, 'type', j.job_type, 'status', j.status, 'attempt', j.attempt,
                                              'errorCode', j.error_code, 'traceId', j.trace_id, 'createdAt', j.created_at,
                                              'startedAt', j.started_at, 'finishedAt', j.finished_at) as doc, j.created_at
                    from bot_jobs j where j.bot_id = b.id order by j.created_at desc limit 20) x), '[]'::jsonb))
        from bots b
        join bot_now n on n.bot_id = b.id
        join bot_evidence e on e.bot_id = b.id
        where b.id = p_id
    );
end
$$;
