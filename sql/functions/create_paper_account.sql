-- A paper account with the default paper risk limits (risk_limits' column
-- defaults); for a bot (p_bot), its account is returned when it already has one.
-- Returns the account id. Starting cash defaults to settings.simulated_equity, so a
-- bot's paper equity starts where its backtests' equity does.
create or replace function create_paper_account(p_name text, p_bot uuid default null, p_starting_cash numeric default null)
returns uuid
language plpgsql volatile as $$
declare
    v_id uuid;
    v_cash numeric := coalesce(p_starting_cash, setting('simulated_equity')::numeric);
begin
    if p_bot is not null then
        select id into v_id from paper_accounts where bot_id = p_bot;
        if found then
            return v_id;
        end if;
    end if;
    insert into paper_accounts (name, bot_id, starting_cash, cash) values (p_name, p_bot, v_cash, v_cash)
    returning id into v_id;
    insert into risk_limits (account_id, env) values (v_id, 'paper');
    return v_id;
end
$$;
