-- An equity sample of an account (paper_account_figures: cash, unrealised, equity),
-- for its equity curve; returns the sample's equity.
create or replace function sample_paper_equity(p_account uuid) returns numeric
language sql volatile as $$
    insert into paper_equity (account_id, cash, unrealized, equity)
    select p_account, f.cash, f.unrealized, f.equity from paper_account_figures(p_account) f
    returning equity
$$;
