-- PROOFS.md §7: Iteration proof (actual improvement)
SELECT bot_id, iteration, params_hash, completed_at
FROM backtest_sessions ORDER BY completed_at DESC LIMIT 20;
