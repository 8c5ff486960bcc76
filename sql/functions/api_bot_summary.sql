-- One bot as the API lists it (GET /api/bots, GET /api/bots/:id): its row, its badge
-- (its bot_now row), its latest score and its evidence (its bot_evidence row).
-- The caller joins bot_now and bot_evidence, so a list reads both views in one
-- set-based pass (their settings are read once, not once per bot).
create or replace function api_bot_summary(b bots, n bot_now, e bot_evidence) returns jsonb
language sql stable as $$
    select jsonb_build_object(
        'id', b.id, 'name', b.name, 'archetype', b.archetype_slug,
        'family', (select a.family from archetypes a where a.slug = b.archetype_slug),
        'instrument', b.instrument, 'timeframe', b.timeframe, 'params', b.params, 'paramsHash', b.params_hash,
        'stage', b.stage, 'stageUpdatedAt', b.stage_updated_at, 'stageReasonCode', b.stage_reason_code,
        'status', b.status, 'pinned', b.pinned, 'generation', b.generation, 'parentBotId', b.parent_bot_id,
        'origin', b.origin, 'iteration', b.iteration, 'createdAt', b.created_at,
        -- The badge: what the bot is doing now, as bot_now says (DESIGN: one source).
        'now', jsonb_build_object('state', n.state, 'label', n.label, 'since', n.since,
                                  'elapsedSeconds', n.elapsed_seconds,
                                  'reasonCode', n.reason_code, 'activeJobId', n.active_job_id,
                                  'activeJobType', n.active_job_type, 'activeJobStatus', n.active_job_status,
                                  'attempt', n.attempt, 'iteration', n.iteration,
                                  'gateBlockers', n.gate_blockers, 'isNew', n.is_new),
        'score', (select jsonb_build_object('total', sc.total, 'tier', sc.tier, 'dataReliability', sc.data_reliability,
                                            'decisionQuality', sc.decision_quality, 'riskDiscipline', sc.risk_discipline,
                                            'executionHealth', sc.execution_health, 'supervisorTrust', sc.supervisor_trust,
                                            'computedAt', sc.computed_at)
                  from autonomy_scores sc where sc.bot_id = b.id order by sc.computed_at desc, sc.id desc limit 1),
        -- The session the bot is judged on (bot_evidence, as the gates see it; null without one).
        'evidence', case when e.session_id is not null then
            jsonb_build_object('id', e.session_id, 'tradesCount', e.trades_count, 'realizedPnl', e.realized_pnl,
                               'sharpe', e.sharpe, 'maxDrawdownUsd', e.max_drawdown_usd, 'winRate', e.win_rate,
                               'profitFactor', e.profit_factor, 'dataSource', e.data_source,
                               'barsTested', e.bars_tested, 'completedAt', e.completed_at,
                               'iteration', e.session_iteration, 'sessionsTested', e.sessions_tested,
                               'oosFrom', e.oos_from, 'oosTo', e.oos_to, 'deflatedSharpe', e.deflated_sharpe,
                               'trials', e.trials, 'expectancyCiLow', e.expectancy_ci_low,
                               'expectancyCiHigh', e.expectancy_ci_high, 'sharpeCiLow', e.sharpe_ci_low,
                               'sharpeCiHigh', e.sharpe_ci_high, 'evidence', e.evidence) end)
$$;
