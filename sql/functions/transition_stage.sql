-- The checked way a bot's stage changes (besides the users' own SQL in PROOFS.md §5):
-- after the checks below, apply_stage_moves writes the bot_stage_events row (from,
-- to, reason_code, actor), sets bots.stage / stage_updated_at / stage_reason_code,
-- clears the gate streak and writes the feed event —
-- PROMOTED (up), GRADUATED (up out of PAPER), DEMOTED (down). Payload
-- {from_stage, to_stage, reason_code, actor, stage_event_id} plus p_details (also
-- stored in bot_stage_events.details; the supervisor's demotions put the failing
-- KEEP rules there).
-- A promotion must be exactly one stage up and pass every gate rule of that step
-- (evaluate_gates); otherwise nothing changes, AUTONOMY_GATE_BLOCKED {from_stage,
-- to_stage, reason_code, failures, actor} is written and 'BLOCKED' returned.
-- CANARY and LIVE are always refused with RISK_ENGINE_UNVERIFIED (fail-closed).
-- Only ACTIVE bots are promoted (P0001 BOT_NOT_ACTIVE); any bot may be demoted.
-- Returns the bot's stage afterwards, or 'BLOCKED'. Unknown bot → P0002
-- BOT_NOT_FOUND; unknown stage → 22023 INVALID_STAGE; reason not upper snake → 23514.
create or replace function transition_stage(p_bot uuid, p_to text, p_reason text, p_actor text,
                                            p_details jsonb default '{}')
returns text
language plpgsql volatile as $$
declare
    v_bot bots%rowtype;
    v_ranks constant text[] := stage_ladder();
    v_from int;
    v_to int;
    v_failures jsonb;
    v_actor text := coalesce(nullif(p_actor, ''), 'system');
begin
    select * into v_bot from bots where id = p_bot for update;
    if not found then
        raise exception 'BOT_NOT_FOUND' using errcode = 'P0002', detail = format('no bot with id %s', p_bot);
    end if;
    v_from := array_position(v_ranks, v_bot.stage);
    v_to := array_position(v_ranks, p_to);
    if v_to is null then
        raise exception 'INVALID_STAGE' using errcode = '22023', detail = format('%s is not a stage', p_to);
    end if;
    if v_to = v_from then
        return v_bot.stage;
    end if;

    if v_to > v_from then
        if v_bot.status <> 'ACTIVE' then
            raise exception 'BOT_NOT_ACTIVE' using errcode = 'P0001',
                detail = format('bot %s is %s; only ACTIVE bots are promoted', p_bot, v_bot.status);
        end if;
        if p_to in ('CANARY', 'LIVE') then
            v_failures := jsonb_build_array(jsonb_build_object('reason_code', 'RISK_ENGINE_UNVERIFIED',
                'suggested_fix', 'none: Gauntlet places no live orders; CANARY and LIVE stay fail-closed'));
        elsif v_to <> v_from + 1 then
            v_failures := jsonb_build_array(jsonb_build_object('reason_code', 'STAGE_SKIP_NOT_ALLOWED',
                'suggested_fix', format('promote one stage at a time (next: %s)', v_ranks[v_from + 1])));
        else
            select coalesce(jsonb_agg(jsonb_build_object('rule_id', g.rule_id, 'metric', g.metric,
                                                         'comparator', g.comparator, 'threshold', g.threshold,
                                                         'actual', g.actual, 'suggested_fix', g.suggested_fix)
                                      order by g.rule_id) filter (where not g.passed), '[]')
              into v_failures
              from evaluate_gates(p_bot) g
             where g.to_stage = p_to;
            if jsonb_array_length(v_failures) = 0 then
                v_failures := null;
            end if;
        end if;
        if v_failures is not null then
            insert into activity_events (event_type, bot_id, payload)
            values ('AUTONOMY_GATE_BLOCKED', p_bot,
                    jsonb_build_object('from_stage', v_bot.stage, 'to_stage', p_to,
                                       'reason_code', case when p_to in ('CANARY', 'LIVE') then 'RISK_ENGINE_UNVERIFIED'
                                                           else 'GATES_FAILED' end,
                                       'failures', v_failures, 'actor', v_actor));
            return 'BLOCKED';
        end if;
    end if;

    perform apply_stage_moves(array[p_bot], array[p_to], p_reason, v_actor, array[coalesce(p_details, '{}')]);
    return p_to;
end
$$;
