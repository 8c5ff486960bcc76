-- The planner's RUNNER_START policy (called by planner_tick with its run): every
-- ACTIVE bot in PAPER without a QUEUED or RUNNING RUNNER_START job gets one (decision
-- ENQUEUED, reason PAPER_NEEDS_RUNNER), due now, which a `gauntlet runner` claims and
-- holds RUNNING — heartbeating it every second — for as long as it trades the bot. A
-- runner job does not make its bot busy for the planner's other decisions (backtests,
-- improvement and evolution go on beside it). Returns how many were enqueued.
create or replace function plan_paper_runners(p_run uuid) returns int
language plpgsql volatile as $$
declare
    r record;
    v_res record;
    v_n int := 0;
begin
    for r in
        select b.id from bots b
         where b.status = 'ACTIVE' and b.stage = 'PAPER'
           and not exists (select 1 from bot_jobs j where j.bot_id = b.id and j.job_type = 'RUNNER_START'
                                                     and j.status in ('QUEUED', 'RUNNING'))
         order by b.id
    loop
        select * into v_res
          from enqueue_job(r.id, 'RUNNER_START', null, jsonb_build_object('planner_run_id', p_run,
                                                                         'reason_code', 'PAPER_NEEDS_RUNNER'),
                           now(), 'PAPER_NEEDS_RUNNER');
        if v_res.created then
            insert into autonomy_bot_decisions (planner_run_id, bot_id, decision, job_type, job_id, reason_code)
            values (p_run, r.id, 'ENQUEUED', 'RUNNER_START', v_res.job_id, 'PAPER_NEEDS_RUNNER');
            v_n := v_n + 1;
        end if;
    end loop;
    return v_n;
end
$$;
