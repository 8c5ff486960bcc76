-- Feeds one backtest failure to the 'backtest' circuit breaker (called by
-- fail_job). A failure extends the current streak when the streak began within
-- settings.circuit_window_minutes, else starts a new one; when the streak
-- reaches settings.circuit_failure_threshold a CLOSED breaker opens until
-- settings.circuit_cooldown_seconds have passed, writing CIRCUIT_OPENED
-- {breaker, consecutive_failures, threshold, window_minutes, cooldown_seconds,
-- closes_at, last_error_code}. Returns the breaker's state afterwards.
create or replace function note_backtest_failure(p_error_code text, p_trace uuid default null) returns text
language plpgsql volatile as $$
declare
    v_threshold int;
    v_window interval;
    v_cooldown interval;
    v_b circuit_breakers%rowtype;
begin
    v_threshold := setting('circuit_failure_threshold')::int;
    v_window := make_interval(mins => setting('circuit_window_minutes')::int);
    v_cooldown := make_interval(secs => setting('circuit_cooldown_seconds')::int);

    update circuit_breakers
       set consecutive_failures = case when streak_started_at > now() - v_window then consecutive_failures + 1 else 1 end,
           streak_started_at = case when streak_started_at > now() - v_window then streak_started_at else now() end,
           last_failure_at = now(), last_error_code = p_error_code, updated_at = now()
     where name = 'backtest'
    returning * into v_b;

    if v_b.state = 'CLOSED' and v_b.consecutive_failures >= v_threshold then
        update circuit_breakers
           set state = 'OPEN', opened_at = now(), closes_at = now() + v_cooldown, updated_at = now()
         where name = 'backtest'
        returning * into v_b;
        insert into activity_events (event_type, trace_id, payload)
        values ('CIRCUIT_OPENED', p_trace,
                jsonb_build_object('breaker', 'backtest', 'consecutive_failures', v_b.consecutive_failures,
                                   'threshold', v_threshold, 'window_minutes', extract(epoch from v_window) / 60,
                                   'cooldown_seconds', extract(epoch from v_cooldown), 'opened_at', v_b.opened_at,
                                   'closes_at', v_b.closes_at, 'last_error_code', p_error_code,
                                   'reason_code', 'CONSECUTIVE_FAILURES'));
    end if;
    return v_b.state;
end
$$;
