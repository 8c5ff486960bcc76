-- Fleet and queue counts for GET /api/system/status and POST /api/kickoff, and the
-- kill switch (kill_switch_doc), which every page's header shows.
create or replace function api_system_counts() returns jsonb
language plpgsql stable as $$
begin
    return (
        select jsonb_build_object(
            'bots', (select count(*) from bots),
            'activeBots', (select count(*) from bots where status = 'ACTIVE'),
            -- Evidence as the gates see it: a completed session of the bot's current
            -- parameters since the metrics reset.
            'botsWithBaseline', (select count(*) from bot_evidence where status = 'ACTIVE' and session_id is not null),
            'backtests', jsonb_build_object(
                'queued', (select count(*) from bot_jobs j join job_kinds k on k.kind = j.job_type
                            where j.status = 'QUEUED' and k.is_backtest),
                'running', (select count(*) from bot_jobs j join job_kinds k on k.kind = j.job_type
                            where j.status = 'RUNNING' and k.is_backtest),
                'completed', (select count(*) from backtest_sessions where status = 'COMPLETED'),
                'failed', (select count(*) from bot_jobs j join job_kinds k on k.kind = j.job_type
                            where j.status = 'FAILED' and k.is_backtest)),
            'workersAlive', (select count(*) from worker_heartbeats w where worker_state(w) = 'RUNNING'),
            'breaker', (select jsonb_build_object('state', c.state, 'consecutiveFailures', c.consecutive_failures,
                                                  'openedAt', c.opened_at, 'closesAt', c.closes_at)
                        from circuit_breakers c where c.name = 'backtest'),
            'killSwitch', kill_switch_doc())
    );
end
$$;
