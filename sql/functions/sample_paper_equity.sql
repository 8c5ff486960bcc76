-- An equity sample of an account (paper_account_figures: cash, unrealised, equity),
-- for its equity curve; returns the sample's equity. While the account's session day
-- trades real bars it also keeps the paper drawdown (peak_equity, max_drawdown_usd),
-- restarting it when the bot's paper evidence restarted (paper_evidence_since).
create or replace function sample_paper_equity(p_account uuid) returns numeric
language plpgsql volatile as $$
declare
    v_equity numeric;
    v_since timestamptz;
begin
    insert into paper_equity (account_id, cash, unrealized, equity)
    select p_account, f.cash, f.unrealized, f.equity from paper_account_figures(p_account) f
    returning equity into v_equity;
    if exists (select 1 from paper_accounts a join paper_sessions s on s.account_id = a.id and s.trading_day = a.trading_day
                where a.id = p_account and is_real_data(s.data_source)) then
        select paper_evidence_since(a.bot_id) into v_since from paper_accounts a where a.id = p_account;
        update paper_accounts a
           set evidence_since = v_since,
               peak_equity = case when a.evidence_since is distinct from v_since or a.peak_equity is null then v_equity
                                  else greatest(a.peak_equity, v_equity) end,
               max_drawdown_usd = case when a.evidence_since is distinct from v_since or a.peak_equity is null then 0
                                       else greatest(a.max_drawdown_usd, greatest(a.peak_equity, v_equity) - v_equity) end
         where a.id = p_account;
    end if;
    return v_equity;
end
$$;
