-- Records provider calls in integration_usage_events: p_usage is an array of
-- {provider, endpoint, status, http_status, latency_ms, bars_returned, trace_id}.
-- Called before complete/fail so failed fetches count too. p_job may be null
-- (e.g. POST /api/integrations/verify); with a job, bot_id comes from it and a
-- missing trace_id defaults to the job's. Returns the number of rows written.
create or replace function record_usage(p_job uuid, p_usage jsonb) returns int
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
    v_n int;
begin
    if p_usage is null or jsonb_typeof(p_usage) <> 'array' then
        raise exception 'INVALID_USAGE' using errcode = '22023', detail = 'p_usage must be a JSON array';
    end if;
    insert into integration_usage_events (provider, endpoint, status, http_status, latency_ms, bars_returned,
                                          trace_id, job_id, bot_id)
    select u.provider, coalesce(u.endpoint, ''), u.status, u.http_status, coalesce(u.latency_ms, 0),
           coalesce(u.bars_returned, 0), coalesce(u.trace_id, j.trace_id), p_job, j.bot_id
      from jsonb_to_recordset(p_usage) as u(provider text, endpoint text, status text, http_status int,
                                            latency_ms double precision, bars_returned int, trace_id uuid)
      left join bot_jobs j on j.id = p_job;
    get diagnostics v_n = row_count;
    return v_n;
end
$$;
