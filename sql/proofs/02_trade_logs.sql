-- PROOFS.md §2: trades recorded by completed backtests.
SELECT id, bot_id, created_at FROM trade_logs ORDER BY created_at DESC LIMIT 10;
