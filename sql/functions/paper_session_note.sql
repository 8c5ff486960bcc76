-- Adds to the paper session of an account's trading day (paper_sessions), creating it
-- when the day has none: labelled with the data source of the account's running run
-- ('synthetic' when none: unlabelled bars are never evidence) and the bot's iteration.
-- Called in the transactions that book what it counts — begin_paper_day (the row),
-- record_paper_fill (a closed trade, a circuit-breaker trip), submit_paper_order (a
-- refusal that paper_risk_breach counts) — so the session never disagrees with the
-- ledger. An account without a trading day yet counts on today (UTC).
create or replace function paper_session_note(p_account uuid, p_trades int default 0, p_wins int default 0,
                                              p_pnl numeric default 0, p_breaches int default 0, p_trips int default 0)
returns void
language sql volatile as $$
    insert into paper_sessions as s (bot_id, account_id, trading_day, data_source, iteration, trades_count, wins,
                                     realized_pnl, risk_breaches, circuit_breaker_trips)
    select a.bot_id, a.id, coalesce(a.trading_day, (now() at time zone 'utc')::date),
           coalesce((select r.source from paper_runs r where r.account_id = a.id and r.status = 'RUNNING'
                      order by r.started_at desc limit 1), 'synthetic'),
           b.iteration, p_trades, p_wins, p_pnl, p_breaches, p_trips
      from paper_accounts a join bots b on b.id = a.bot_id
     where a.id = p_account
    on conflict (account_id, trading_day) do update
       set trades_count = s.trades_count + excluded.trades_count, wins = s.wins + excluded.wins,
           realized_pnl = s.realized_pnl + excluded.realized_pnl, risk_breaches = s.risk_breaches + excluded.risk_breaches,
           circuit_breaker_trips = s.circuit_breaker_trips + excluded.circuit_breaker_trips, updated_at = now()
$$;
