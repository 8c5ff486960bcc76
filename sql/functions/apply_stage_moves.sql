-- The writes of a stage change, set-based — the one place they live, called by
-- transition_stage (one bot, after its checks), supervisor_tick (promotions and
-- KEEP-rule demotions) and revert_stages_to_lab. Callers decide *whether* a bot
-- moves; this only records it. For every p_bots[i] whose stage differs from
-- p_to[i], in bot id order with the bot rows locked:
--   * a bot_stage_events row (from, to, p_reason, p_actor, details = p_details[i] or {});
--   * bots.stage / stage_updated_at / stage_reason_code;
--   * unless p_feed is false, the feed event — PROMOTED (up), GRADUATED (up out
--     of PAPER), DEMOTED (down) — with p_details[i] plus {from_stage, to_stage,
--     reason_code, actor, stage_event_id};
--   * the bot's gate streak cleared (a new stage starts a new streak).
-- Returns how many bots moved.
create or replace function apply_stage_moves(p_bots uuid[], p_to text[], p_reason text, p_actor text,
                                             p_details jsonb[] default null, p_feed boolean default true)
returns int
language plpgsql volatile as $$
declare
    v_ranks constant text[] := stage_ladder();
    v_n int;
begin
    with req as (
        select u.bot_id, u.to_stage, coalesce(u.details, '{}') as details
          from unnest(p_bots, p_to, coalesce(p_details, '{}'::jsonb[])) as u(bot_id, to_stage, details)
         where u.bot_id is not null
    ), moved as (
        select b.id as bot_id, b.stage as from_stage, r.to_stage, r.details
          from bots b join req r on r.bot_id = b.id
         where b.stage is distinct from r.to_stage
         order by b.id
           for update of b
    ), ev as (
        insert into bot_stage_events (bot_id, from_stage, to_stage, reason_code, actor, details)
        select m.bot_id, m.from_stage, m.to_stage, p_reason, p_actor, m.details from moved m
        returning id, bot_id, from_stage, to_stage, details
    ), upd as (
        update bots b set stage = m.to_stage, stage_updated_at = now(), stage_reason_code = p_reason, updated_at = now()
          from moved m where b.id = m.bot_id
        returning b.id
    ), feed as (
        insert into activity_events (event_type, bot_id, payload)
        select case when array_position(v_ranks, e.to_stage) < array_position(v_ranks, e.from_stage) then 'DEMOTED'
                    when e.from_stage = 'PAPER' then 'GRADUATED' else 'PROMOTED' end,
               e.bot_id,
               e.details || jsonb_build_object('from_stage', e.from_stage, 'to_stage', e.to_stage,
                                               'reason_code', p_reason, 'actor', p_actor, 'stage_event_id', e.id)
          from ev e
         where p_feed
    ), streak as (
        update bot_gate_streaks g set failed_cycles = 0, passed_all = null, last_failures = '[]', blocked_since = null
          from moved m where g.bot_id = m.bot_id
    )
    select count(*) into v_n from upd;
    return v_n;
end
$$;
