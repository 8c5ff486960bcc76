-- The lease rescuer (run by run_due_schedules or the worker's timer): every
-- RUNNING job whose lease_expires_at has passed times out and, in the same
-- statement, is queued again (run_after = now()) or, at max_attempts, FAILED.
-- Each writes two job_run_events: RUNNING → TIMEOUT (LEASE_EXPIRED, details
-- {lost_worker, lease_expires_at}) and TIMEOUT → QUEUED (RETRY_AFTER_TIMEOUT) or
-- TIMEOUT → FAILED (MAX_ATTEMPTS_REACHED). Backtests also write BACKTEST_FAILED
-- {error_code: LEASE_EXPIRED, attempt, max_attempts, will_retry, job_type} and,
-- when final, a FAILED session; other types except NOOP write JOB_FAILED when
-- final. Timeouts do not feed the circuit breaker (a crashed worker is not a
-- failing provider). The lost worker's late result is then rejected as
-- LEASE_LOST. Rows locked by someone else are skipped until the next run.
-- Returns the number of jobs rescued.
create or replace function rescue_expired_leases() returns int
language plpgsql volatile as $$
declare
    v_n int;
begin
    with expired as (
        select j.id, j.worker_id, j.lease_expires_at
          from bot_jobs j
         where j.status = 'RUNNING' and j.lease_expires_at < now()
           for update skip locked
    ), moved as (
        update bot_jobs j
           set status = case when j.attempt >= j.max_attempts then 'FAILED' else 'QUEUED' end,
               finished_at = case when j.attempt >= j.max_attempts then now() end,
               run_after = case when j.attempt >= j.max_attempts then j.run_after else now() end,
               worker_id = null, lease_expires_at = null, error_code = 'LEASE_EXPIRED',
               error_message = format('lease held by %s expired at %s', e.worker_id, e.lease_expires_at),
               updated_at = now()
          from expired e
         where j.id = e.id
        returning j.id, j.bot_id, j.job_type, j.status, j.attempt, j.max_attempts, j.trace_id, j.started_at,
                  e.worker_id as lost_worker, e.lease_expires_at as lost_lease
    ), ev as (
        insert into job_run_events (job_id, from_status, to_status, reason_code, worker_id, attempt, trace_id, details)
        select m.id, x.from_status, x.to_status, x.reason_code, m.lost_worker, m.attempt, m.trace_id,
               jsonb_build_object('lost_worker', m.lost_worker, 'lease_expires_at', m.lost_lease)
          from moved m
         cross join lateral (values
             (1, 'RUNNING', 'TIMEOUT', 'LEASE_EXPIRED'),
             (2, 'TIMEOUT', m.status, case m.status when 'QUEUED' then 'RETRY_AFTER_TIMEOUT'
                                                     else 'MAX_ATTEMPTS_REACHED' end)
         ) as x(ord, from_status, to_status, reason_code)
         order by m.id, x.ord
    ), sessions as (
        insert into backtest_sessions (bot_id, job_id, status, instrument, tick_size, contract_multiplier, timeframe,
                                       params, params_hash, iteration, started_at, completed_at, duration_ms,
                                       trace_id, error_code, error_message)
        select b.id, m.id, 'FAILED', b.instrument, i.tick_size, i.multiplier, b.timeframe, b.params, b.params_hash,
               b.iteration, coalesce(m.started_at, now()), now(),
               extract(epoch from (now() - coalesce(m.started_at, now()))) * 1000, m.trace_id, 'LEASE_EXPIRED',
               format('lease held by %s expired after %s attempts', m.lost_worker, m.attempt)
          from moved m join bots b on b.id = m.bot_id join instruments i on i.symbol = b.instrument
         where m.status = 'FAILED' and m.job_type in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH')
        on conflict (job_id) do nothing
    ), feed as (
        insert into activity_events (event_type, bot_id, job_id, trace_id, payload)
        select case when m.job_type in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH') then 'BACKTEST_FAILED'
                    else 'JOB_FAILED' end,
               m.bot_id, m.id, m.trace_id,
               jsonb_build_object('error_code', 'LEASE_EXPIRED',
                                  'message', format('worker %s stopped heartbeating', m.lost_worker),
                                  'suggested_fix', 'none needed: the job is retried automatically while attempts remain',
                                  'attempt', m.attempt, 'max_attempts', m.max_attempts,
                                  'will_retry', m.status = 'QUEUED', 'job_type', m.job_type)
          from moved m
         where m.job_type in ('BACKTEST_BASELINE', 'BACKTEST_REFRESH')
            or (m.job_type <> 'NOOP' and m.status = 'FAILED')
    )
    select count(*) into v_n from moved;
    return v_n;
end
$$;
