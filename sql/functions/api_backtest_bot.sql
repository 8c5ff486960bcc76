-- POST /api/backtests/:id/run: whose backtest to re-run. p_id is a backtest
-- session id (→ that session's bot) or a bot id (→ that bot). Returns the bot
-- id, or null when p_id is neither (the API answers 404 BACKTEST_NOT_FOUND).
-- Reads only; raises nothing.
create or replace function api_backtest_bot(p_id uuid) returns uuid
language plpgsql stable as $$
begin
    return (
        select coalesce((select s.bot_id from backtest_sessions s where s.id = p_id),
                        (select b.id from bots b where b.id = p_id))
    );
end
$$;
