-- The recorder of RESEARCH_CELL (job_kinds.recorder; called by complete_leased_job,
-- which holds the lease): the cell's COMPLETED row from p_result {"metrics": {…}}
-- (record_research_row). A result without metrics → 22023 INVALID_RESULT, nothing
-- written. Returns {reason_code: CELL_RECORDED, row_id}.
create or replace function record_research_cell(p_job bot_jobs, p_result jsonb) returns jsonb
language plpgsql volatile as $$
begin
    if jsonb_typeof(p_result -> 'metrics') is distinct from 'object'
       or (p_result #>> '{metrics,trades}') is null or (p_result #>> '{metrics,net_pnl}') is null then
        raise exception 'INVALID_RESULT' using errcode = '22023',
            detail = 'p_result needs metrics with at least trades and net_pnl';
    end if;
    return jsonb_build_object('reason_code', 'CELL_RECORDED',
                              'row_id', record_research_row(p_job, 'COMPLETED', p_result -> 'metrics'));
end
$$;
