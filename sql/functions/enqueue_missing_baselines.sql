-- Queues a BACKTEST_BASELINE for every active bot without a completed
-- backtest ("Kickoff Testing Now"). Bots that already have one queued or
-- running are counted, not duplicated (enqueue_job dedups).
create or replace function enqueue_missing_baselines(p_reason text) returns jsonb
language plpgsql as $$
declare
    v_enqueued int := 0;
    v_existing int := 0;
    v_created boolean;
    v_bot uuid;
begin
    for v_bot in
        select b.id from bots b
        where b.status = 'ACTIVE'
          and not exists (select 1 from backtest_sessions s where s.bot_id = b.id and s.status = 'COMPLETED')
        order by b.created_at, b.id
    loop
        select e.created into v_created from enqueue_job(v_bot, 'BACKTEST_BASELINE', 50, '{}'::jsonb, now(), p_reason) e;
        if v_created then v_enqueued := v_enqueued + 1; else v_existing := v_existing + 1; end if;
    end loop;
    return jsonb_build_object('enqueued', v_enqueued, 'alreadyQueued', v_existing);
end
$$;
