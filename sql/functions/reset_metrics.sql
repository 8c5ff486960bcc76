-- Metrics reset: from now on every effective metric, gate and score ignores
-- sessions completed before this moment (they are kept, not deleted), and the
-- planner queues fresh baselines (bots have no effective session any more).
--   p_scope "ALL"          → settings.metrics_reset_at = now()
--   p_scope ["uuid", …]    → bots.metrics_reset_at = now() for those bots
-- Gate streaks of the bots in scope are cleared; stages are not changed (use
-- revert_stages_to_lab). Writes METRICS_RESET {scope, reason_code, actor,
-- reset_at, bots, sessions_excluded} (bot_id null for ALL; one event per bot for a
-- list). A dry run returns the same document and changes nothing. Returns
--   {"dryRun", "scope", "reasonCode", "resetAt", "previousResetAt", "bots",
--    "botIds" (list scope only), "sessionsExcluded", "activeBotsNeedingBaseline"}.
-- Errors: scope neither "ALL" nor an array of bot ids → 22023 INVALID_SCOPE; an
-- unknown bot id → P0002 BOT_NOT_FOUND; reason not upper snake → 22023 INVALID_REASON.
create or replace function reset_metrics(p_dry_run boolean, p_scope jsonb, p_reason text, p_actor text)
returns jsonb
language plpgsql volatile as $$
declare
    v_all boolean;
    v_ids uuid[];
    v_now timestamptz := now();
    v_prev timestamptz;
    v_excluded int;
    v_bots int;
    v_active int;
    v_doc jsonb;
    v_actor text := coalesce(nullif(p_actor, ''), 'system');
begin
    if p_reason is null or p_reason !~ '^[A-Z][A-Z0-9_]*$' then
        raise exception 'INVALID_REASON' using errcode = '22023', detail = 'reasonCode must be UPPER_SNAKE_CASE';
    end if;
    if p_scope = '"ALL"'::jsonb then
        v_all := true;
    elsif jsonb_typeof(p_scope) = 'array' and jsonb_array_length(p_scope) > 0 then
        v_all := false;
        begin
            select array_agg(distinct (x #>> '{}')::uuid) into v_ids from jsonb_array_elements(p_scope) x;
        exception when invalid_text_representation then
            raise exception 'INVALID_SCOPE' using errcode = '22023', detail = 'scope must be "ALL" or an array of bot ids';
        end;
        if exists (select 1 from unnest(v_ids) i where not exists (select 1 from bots b where b.id = i)) then
            raise exception 'BOT_NOT_FOUND' using errcode = 'P0002',
                detail = format('unknown bot ids: %s', (select string_agg(i::text, ', ') from unnest(v_ids) i
                                                         where not exists (select 1 from bots b where b.id = i)));
        end if;
    else
        raise exception 'INVALID_SCOPE' using errcode = '22023', detail = 'scope must be "ALL" or an array of bot ids';
    end if;

    v_prev := (setting('metrics_reset_at') #>> '{}')::timestamptz;

    select count(*), count(*) filter (where b.status = 'ACTIVE'),
           coalesce(sum((select count(*) from backtest_sessions s
                          where s.bot_id = b.id and s.status = 'COMPLETED'
                            and s.completed_at >= coalesce(greatest(v_prev, b.metrics_reset_at), '-infinity')
                            and s.completed_at < v_now)), 0)
      into v_bots, v_active, v_excluded
      from bots b
     where v_all or b.id = any(v_ids);

    v_doc := jsonb_build_object('dryRun', coalesce(p_dry_run, true), 'scope', p_scope, 'reasonCode', p_reason,
                                'resetAt', v_now, 'previousResetAt', v_prev, 'bots', v_bots,
                                'sessionsExcluded', v_excluded, 'activeBotsNeedingBaseline', v_active);
    if not v_all then
        v_doc := v_doc || jsonb_build_object('botIds', to_jsonb(v_ids));
    end if;
    if coalesce(p_dry_run, true) then
        return v_doc;
    end if;

    if v_all then
        update settings set value = to_jsonb(v_now), updated_at = now() where key = 'metrics_reset_at';
        update bot_gate_streaks set failed_cycles = 0, passed_all = null, last_failures = '[]', blocked_since = null;
        insert into activity_events (event_type, payload)
        values ('METRICS_RESET', jsonb_build_object('scope', 'ALL', 'reason_code', p_reason, 'actor', v_actor,
                                                    'reset_at', v_now, 'bots', v_bots,
                                                    'sessions_excluded', v_excluded));
    else
        update bots set metrics_reset_at = v_now, updated_at = now() where id = any(v_ids);
        update bot_gate_streaks set failed_cycles = 0, passed_all = null, last_failures = '[]', blocked_since = null
         where bot_id = any(v_ids);
        insert into activity_events (event_type, bot_id, payload)
        select 'METRICS_RESET', i, jsonb_build_object('scope', 'BOTS', 'reason_code', p_reason, 'actor', v_actor,
                                                      'reset_at', v_now, 'bots', v_bots,
                                                      'sessions_excluded', v_excluded)
          from unnest(v_ids) i;
    end if;
    return v_doc;
end
$$;
