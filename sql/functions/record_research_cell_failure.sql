-- The failure recorder of RESEARCH_CELL (job_kinds.failure_recorder; called by
-- record_job_failure when the cell gives up): the cell's FAILED row with its error
-- (record_research_row), so the run goes on and still finishes.
create or replace function record_research_cell_failure(p_job bot_jobs, p_code text, p_message text) returns void
language sql volatile as $$
    select record_research_row(p_job, 'FAILED', null, p_code, p_message);
$$;
