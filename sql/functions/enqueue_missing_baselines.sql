-- Queues a BACKTEST_BASELINE for every ACTIVE bot without evidence (bot_evidence:
-- no completed session of its current iteration since its metrics reset) —
-- "Kickoff Testing Now", the starter pack and a revert to LAB — limited to p_bots
-- when given. Bots that already have one queued or running are counted, not
-- duplicated (enqueue_job dedups). Returns {"enqueued": n, "alreadyQueued": n}.
create or replace function enqueue_missing_baselines(p_reason text, p_bots uuid[] default null) returns jsonb
language plpgsql as $$
declare
    v_enqueued int := 0;
    v_existing int := 0;
    v_created boolean;
    v_bot uuid;
begin
    for v_bot in
        select e.bot_id from bot_evidence e
        where e.status = 'ACTIVE' and e.session_id is null and (p_bots is null or e.bot_id = any (p_bots))
        order by e.created_at, e.bot_id
    loop
        select q.created into v_created from enqueue_job(v_bot, 'BACKTEST_BASELINE', null, '{}'::jsonb, now(), p_reason) q;
        if v_created then v_enqueued := v_enqueued + 1; else v_existing := v_existing + 1; end if;
    end loop;
    return jsonb_build_object('enqueued', v_enqueued, 'alreadyQueued', v_existing);
end
$$;
