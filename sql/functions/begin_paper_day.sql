-- Opens session day p_day on an account (the runner calls it at each session's first
-- bar; the CME calendar is the runner's): the day's loss limits are measured from the
-- equity now. Calling it again for the same day changes nothing, so a restarted runner
-- keeps the day's starting equity. A new day also ends a circuit-breaker halt (which
-- holds for halted_day only) and its losing streak, and starts the day's paper session
-- (paper_session_note). Returns the day's starting equity.
create or replace function begin_paper_day(p_account uuid, p_day date) returns numeric
language plpgsql volatile as $$
declare
    v_account paper_accounts%rowtype;
begin
    select * into v_account from paper_accounts where id = p_account for update;
    if not found then
        raise exception 'ACCOUNT_NOT_FOUND' using errcode = 'P0002', detail = format('no paper account %s', p_account);
    end if;
    if v_account.trading_day is not distinct from p_day then
        return v_account.day_start_equity;
    end if;
    update paper_accounts
       set trading_day = p_day, day_start_equity = (select equity from paper_account_figures(p_account)),
           consecutive_losses = case when halted_day is not null and halted_day < p_day then 0 else consecutive_losses end,
           updated_at = now()
     where id = p_account
    returning * into v_account;
    perform paper_session_note(p_account);
    return v_account.day_start_equity;
end
$$;
