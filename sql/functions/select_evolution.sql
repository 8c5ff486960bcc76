-- The verdict on an evolved CANDIDATE (called by record_backtest when its baseline
-- is recorded, with that session; by record_job_failure with null when the baseline
-- gave up). The child's session, on the parent's window (record_evolution), is set
-- against the parent's session stored in evolution_selections:
--   ACCEPTED  child DSR ≥ parent DSR + evolve_accept_dsr_margin and child OOS
--             expectancy ≥ the parent's expectancy_ci_low (not worse than the
--             parent's interval): the child becomes ACTIVE, the parent SUPERSEDED
--             (its QUEUED jobs cancelled: PARENT_SUPERSEDED); EVOLUTION_ACCEPTED.
--   REJECTED  otherwise, reason NO_EVIDENCE (no child session or no child DSR),
--             PARENT_NOT_ACTIVE (the parent was superseded or killed meanwhile),
--             DSR_NOT_BETTER or EXPECTANCY_WORSE: the child REJECTED (history
--             kept: it stays a trial of the lineage), the parent unchanged;
--             EVOLUTION_REJECTED.
-- A missing parent DSR counts as 0. The event goes on the parent (beside its
-- EVOLVED_GENERATION_CREATED, so the parent's feed tells the whole story) with {parent_bot_id,
-- candidate_bot_id, generation, decision, reason_code, parent: {session_id,
-- deflated_sharpe, expectancy, expectancy_ci_low, sharpe, trades}, child: {…},
-- margin}. Returns {decision, reason_code}; null when the bot is not a pending
-- candidate (a repeat call changes nothing).
create or replace function select_evolution(p_candidate uuid, p_session uuid) returns jsonb
language plpgsql volatile as $$
declare
    v_sel evolution_selections%rowtype;
    v_child bots%rowtype;
    v_parent bots%rowtype;
    v_p backtest_sessions%rowtype;
    v_c backtest_sessions%rowtype;
    v_margin double precision := setting('evolve_accept_dsr_margin')::double precision;
    v_reason text;
    v_decision text;
    v_comparison jsonb;
begin
    -- Most recorded backtests are not a candidate's: answer them without a lock. The
    -- locks are NO KEY UPDATE, which the KEY SHARE of a concurrent session insert
    -- (its foreign key to bots) does not wait for, so two completions of one bot's
    -- jobs cannot deadlock here.
    if not exists (select 1 from bots where id = p_candidate and status = 'CANDIDATE') then
        return null;
    end if;
    select * into v_child from bots where id = p_candidate for no key update;
    select * into v_sel from evolution_selections where candidate_bot_id = p_candidate for update;
    if v_child.status is distinct from 'CANDIDATE' or v_sel.decision is not null then
        return null;
    end if;
    select * into v_parent from bots where id = v_sel.parent_bot_id for no key update;
    select * into v_p from backtest_sessions where id = v_sel.parent_session_id;
    select * into v_c from backtest_sessions where id = p_session and bot_id = p_candidate and status = 'COMPLETED';

    v_reason := case
        when v_c.id is null or v_c.deflated_sharpe is null then 'NO_EVIDENCE'
        when v_parent.status <> 'ACTIVE' then 'PARENT_NOT_ACTIVE'
        when v_c.deflated_sharpe < coalesce(v_p.deflated_sharpe, 0) + v_margin then 'DSR_NOT_BETTER'
        when v_c.expectancy < coalesce(v_p.expectancy_ci_low, '-infinity') then 'EXPECTANCY_WORSE'
        else 'CHILD_BETTER' end;
    v_decision := case when v_reason = 'CHILD_BETTER' then 'ACCEPTED' else 'REJECTED' end;
    v_comparison := jsonb_build_object(
        'margin', v_margin,
        'parent', jsonb_build_object('session_id', v_p.id, 'deflated_sharpe', v_p.deflated_sharpe,
                                     'expectancy', v_p.expectancy, 'expectancy_ci_low', v_p.expectancy_ci_low,
                                     'sharpe', v_p.sharpe, 'trades', v_p.trades_count),
        'child', jsonb_build_object('session_id', v_c.id, 'deflated_sharpe', v_c.deflated_sharpe,
                                    'expectancy', v_c.expectancy, 'expectancy_ci_low', v_c.expectancy_ci_low,
                                    'sharpe', v_c.sharpe, 'trades', v_c.trades_count));

    update evolution_selections
       set decision = v_decision, reason_code = v_reason, comparison = v_comparison,
           candidate_session_id = v_c.id, decided_at = now()
     where candidate_bot_id = p_candidate;
    if v_decision = 'ACCEPTED' then
        update bots set status = 'ACTIVE', updated_at = now() where id = p_candidate;
        update bots set status = 'SUPERSEDED', updated_at = now() where id = v_parent.id;
        perform cancel_job(j.id, 'PARENT_SUPERSEDED')
           from bot_jobs j where j.bot_id = v_parent.id and j.status = 'QUEUED';
    else
        update bots set status = 'REJECTED', updated_at = now() where id = p_candidate;
    end if;

    insert into activity_events (event_type, bot_id, trace_id, payload)
    values (case v_decision when 'ACCEPTED' then 'EVOLUTION_ACCEPTED' else 'EVOLUTION_REJECTED' end,
            v_parent.id, v_c.trace_id,
            jsonb_build_object('parent_bot_id', v_parent.id, 'candidate_bot_id', p_candidate,
                               'generation', v_child.generation, 'decision', v_decision, 'reason_code', v_reason)
            || v_comparison);
    return jsonb_build_object('decision', v_decision, 'reason_code', v_reason);
end
$$;
