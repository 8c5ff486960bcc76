-- GET /api/positions (optionally one account's): open paper positions with their
-- average price, last mark and unrealised PnL.
create or replace function api_positions(p_account uuid default null) returns jsonb
language plpgsql stable set plan_cache_mode = force_custom_plan as $$
begin
    return (
        select jsonb_build_object('positions', coalesce(jsonb_agg(jsonb_build_object(
                   'accountId', p.account_id, 'botId', a.bot_id, 'instrument', p.instrument, 'quantity', p.quantity,
                   'averagePrice', p.average_price, 'markPrice', p.mark_price, 'unrealizedPnl', p.unrealized_pnl,
                   'updatedAt', p.updated_at) order by p.account_id, p.instrument), '[]'))
          from paper_positions p join paper_accounts a on a.id = p.account_id
         where p.quantity <> 0 and (p_account is null or p.account_id = p_account)
    );
end
$$;
