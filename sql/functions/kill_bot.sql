-- A breached invariant: the bot becomes KILLED (it takes no further jobs —
-- enqueue_job and claim_jobs refuse it), its QUEUED/RUNNING jobs are CANCELLED
-- (cancel_job, reason BOT_KILLED) and KILL_TRIGGERED {reason_code, details,
-- cancelled_jobs, previous_status} is written. Killing a KILLED bot changes
-- nothing. Returns the bot's status. Unknown bot → P0002 BOT_NOT_FOUND.
create or replace function kill_bot(p_bot uuid, p_reason text, p_details jsonb default '{}')
returns text
language plpgsql volatile as $$
declare
    v_status text;
    v_job uuid;
    v_cancelled jsonb := '[]';
begin
    select status into v_status from bots where id = p_bot for update;
    if not found then
        raise exception 'BOT_NOT_FOUND' using errcode = 'P0002', detail = format('no bot with id %s', p_bot);
    end if;
    if v_status = 'KILLED' then
        return v_status;
    end if;
    update bots set status = 'KILLED', updated_at = now() where id = p_bot;
    for v_job in select id from bot_jobs where bot_id = p_bot and status in ('QUEUED', 'RUNNING') order by created_at loop
        perform cancel_job(v_job, 'BOT_KILLED');
        v_cancelled := v_cancelled || to_jsonb(v_job);
    end loop;
    insert into activity_events (event_type, bot_id, payload)
    values ('KILL_TRIGGERED', p_bot,
            jsonb_build_object('reason_code', p_reason, 'details', coalesce(p_details, '{}'),
                               'cancelled_jobs', v_cancelled, 'previous_status', v_status));
    return 'KILLED';
end
$$;
