-- Queues a BACKTEST_BASELINE for every active bot without effective evidence:
-- no completed backtest of its current parameters since the metrics reset
-- ("Kickoff Testing Now"; bot_effective_session decides, as the gates do).
-- Bots that already have one queued or running are counted, not duplicated
-- (enqueue_job dedups).
create or replace function enqueue_missing_baselines(p_reason text) returns jsonb
language plpgsql as $$
declare
    v_enqueued int := 0;
    v_existing int := 0;
    v_created boolean;
    v_bot uuid;
begin
    for v_bot in
        select e.bot_id from bot_effective_session e
        where e.status = 'ACTIVE' and e.session_id is null
        order by e.created_at, e.bot_id
    loop
        select q.created into v_created from enqueue_job(v_bot, 'BACKTEST_BASELINE', 50, '{}'::jsonb, now(), p_reason) q;
        if v_created then v_enqueued := v_enqueued + 1; else v_existing := v_existing + 1; end if;
    end loop;
    return jsonb_build_object('enqueued', v_enqueued, 'alreadyQueued', v_existing);
end
$$;
