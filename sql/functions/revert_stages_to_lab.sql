-- Bulk revert: every non-pinned bot in PAPER, SHADOW, CANARY or LIVE goes back to
-- LAB in one statement — a bot_stage_events row each (reason p_reason, default
-- BULK_REVERT_REBASELINE), bots.stage/stage_updated_at/stage_reason_code, gate
-- streaks cleared — and one STAGES_REVERTED {reason_code, actor, reverted,
-- bot_ids, skipped_pinned, baselines_queued} feed event. The reverted bots' evidence
-- is reset (bots.metrics_reset_at = now()) and their baselines are queued
-- (enqueue_missing_baselines), so re-promotion happens only through gates on new
-- evidence, never on the sessions that promoted them before.
-- Returns {"reverted": n, "botIds": [...], "skippedPinned": n, "reasonCode": …,
--          "baselinesQueued": n}.
create or replace function revert_stages_to_lab(p_actor text, p_reason text default 'BULK_REVERT_REBASELINE')
returns jsonb
language plpgsql volatile as $$
declare
    v_ids uuid[];
    v_pinned int;
    v_queued int;
    v_reason text := coalesce(p_reason, 'BULK_REVERT_REBASELINE');
    v_actor text := coalesce(nullif(p_actor, ''), 'system');
begin
    select array_agg(b.id order by b.id) into v_ids
      from bots b where b.stage in ('PAPER', 'SHADOW', 'CANARY', 'LIVE') and not b.pinned;
    -- One STAGES_REVERTED below instead of a DEMOTED per bot.
    perform apply_stage_moves(v_ids, array_fill('LAB'::text, array[coalesce(cardinality(v_ids), 0)]), v_reason,
                              v_actor, null, false);
    update bots set metrics_reset_at = now() where id = any (coalesce(v_ids, '{}'));
    select count(*) into v_pinned from bots where pinned and stage in ('PAPER', 'SHADOW', 'CANARY', 'LIVE');
    v_queued := case when v_ids is null then 0
                     else (enqueue_missing_baselines(v_reason, v_ids) ->> 'enqueued')::int end;

    insert into activity_events (event_type, payload)
    values ('STAGES_REVERTED', jsonb_build_object('reason_code', v_reason, 'actor', v_actor,
                                                  'reverted', coalesce(cardinality(v_ids), 0),
                                                  'bot_ids', coalesce(to_jsonb(v_ids), '[]'),
                                                  'skipped_pinned', v_pinned, 'baselines_queued', v_queued));
    return jsonb_build_object('reverted', coalesce(cardinality(v_ids), 0), 'botIds', coalesce(to_jsonb(v_ids), '[]'),
                              'skippedPinned', v_pinned, 'reasonCode', v_reason, 'baselinesQueued', v_queued);
end
$$;
