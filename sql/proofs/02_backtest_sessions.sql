-- PROOFS.md §2: latest backtests (must be non-empty once the fleet has run).
SELECT id, bot_id, status, trades_count, realized_pnl, started_at, completed_at, created_at FROM backtest_sessions ORDER BY created_at DESC LIMIT 10;
