-- One bot as the API lists it (GET /api/bots, GET /api/bots/:id).
create or replace function api_bot_summary(b bots) returns jsonb
language sql stable as $$
    select jsonb_build_object(
        'id', b.id, 'name', b.name, 'archetype', b.archetype_slug,
        'family', (select a.family from archetypes a where a.slug = b.archetype_slug),
        'instrument', b.instrument, 'timeframe', b.timeframe, 'params', b.params, 'paramsHash', b.params_hash,
        'stage', b.stage, 'stageUpdatedAt', b.stage_updated_at, 'stageReasonCode', b.stage_reason_code,
        'status', b.status, 'pinned', b.pinned, 'generation', b.generation, 'parentBotId', b.parent_bot_id,
        'origin', b.origin, 'iteration', b.iteration, 'createdAt', b.created_at,
        -- The badge: what the bot is doing now, as bot_now says (DESIGN: one source).
        'now', (select jsonb_build_object('state', n.state, 'label', n.label, 'since', n.since,
                                          'reasonCode', n.reason_code, 'activeJobId', n.active_job_id,
                                          'activeJobType', n.active_job_type, 'activeJobStatus', n.active_job_status,
                                          'attempt', n.attempt, 'iteration', n.iteration,
                                          'gateBlockers', n.gate_blockers, 'isNew', n.is_new)
                from bot_now n where n.bot_id = b.id),
        'score', (select jsonb_build_object('total', sc.total, 'tier', sc.tier, 'dataReliability', sc.data_reliability,
                                            'decisionQuality', sc.decision_quality, 'riskDiscipline', sc.risk_discipline,
                                            'executionHealth', sc.execution_health, 'supervisorTrust', sc.supervisor_trust,
                                            'computedAt', sc.computed_at)
                  from autonomy_scores sc where sc.bot_id = b.id order by sc.computed_at desc, sc.id desc limit 1),
        'latestBacktest', (
            select jsonb_build_object('id', s.id, 'tradesCount', s.trades_count, 'realizedPnl', s.realized_pnl,
                                      'sharpe', s.sharpe, 'maxDrawdownUsd', s.max_drawdown_usd, 'winRate', s.win_rate,
                                      'dataSource', s.data_source, 'barsTested', s.bars_tested, 'completedAt', s.completed_at)
            from backtest_sessions s
            where s.bot_id = b.id and s.status = 'COMPLETED'
            order by s.completed_at desc limit 1))
$$;
