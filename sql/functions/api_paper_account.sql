-- GET /api/paper/accounts/:id: the account, its figures (paper_account_figures), its
-- paper limits and their use ("daily loss $120 of $1500"), its open positions, working
-- orders, last 50 fills and last 500 equity samples. Null for an unknown account.
create or replace function api_paper_account(p_id uuid) returns jsonb
language plpgsql stable as $$
begin
    return (
        select jsonb_build_object(
            'id', a.id, 'name', a.name, 'botId', a.bot_id, 'startingCash', a.starting_cash,
            'tradingDay', a.trading_day, 'dayStartEquity', a.day_start_equity,
            'halted', a.halted_day is not null and a.halted_day = a.trading_day, 'haltReason', a.halt_reason,
            'consecutiveLosses', a.consecutive_losses,
            'figures', (select jsonb_build_object('cash', f.cash, 'unrealized', f.unrealized, 'equity', f.equity,
                                                  'dayLoss', f.day_loss, 'marginUsed', f.margin_used,
                                                  'grossNotional', f.gross_notional)
                          from paper_account_figures(a.id) f),
            'limits', (select jsonb_build_object(
                           'maxPositionContracts', l.max_position_contracts, 'maxNotionalUsd', l.max_notional_usd,
                           'maxDailyLossUsd', l.max_daily_loss_usd, 'maxDailyLossPct', l.max_daily_loss_pct,
                           'maxLossPerTradeUsd', l.max_loss_per_trade_usd, 'maxOrdersPerMinute', l.max_orders_per_minute,
                           'maxErrorsPerSession', l.max_errors_per_session, 'minRewardRisk', l.min_reward_risk,
                           'maxConsecutiveLosses', l.max_consecutive_losses,
                           'use', jsonb_build_object(
                               'dailyLoss', format('daily loss $%s of $%s', round(f.day_loss, 2), l.max_daily_loss_usd),
                               'notional', format('notional $%s of $%s', round(f.gross_notional, 2), l.max_notional_usd),
                               'margin', format('margin $%s of $%s equity', round(coalesce(f.margin_used, 0), 2), round(f.equity, 2)),
                               'losingStreak', format('%s of %s consecutive losses', a.consecutive_losses, l.max_consecutive_losses)))
                         from risk_limits l, paper_account_figures(a.id) f where l.account_id = a.id and l.env = 'paper'),
            'positions', api_positions(a.id) -> 'positions',
            'workingOrders', coalesce((select jsonb_agg(paper_order_doc(o) order by o.created_at)
                                         from paper_orders o where o.account_id = a.id
                                          and paper_order_working(o.status)), '[]'),
            'fills', coalesce((select jsonb_agg(jsonb_build_object('id', x.id, 'orderId', x.order_id, 'instrument', x.instrument,
                                                                   'side', x.side, 'quantity', x.quantity, 'price', x.price,
                                                                   'fee', x.fee, 'realizedPnl', x.realized_pnl, 'barTime', x.bar_time)
                                                order by x.id desc)
                                 from (select * from paper_fills where account_id = a.id order by id desc limit 50) x), '[]'),
            'equity', coalesce((select jsonb_agg(jsonb_build_object('at', e.at, 'equity', e.equity) order by e.id)
                                  from (select * from paper_equity where account_id = a.id order by id desc limit 500) e), '[]'))
          from paper_accounts a where a.id = p_id
    );
end
$$;
