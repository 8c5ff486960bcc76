-- PROOFS.md §7: Bar count + duration realism
SELECT bot_id, bars_tested, started_at, completed_at,
       EXTRACT(EPOCH FROM (completed_at - started_at)) AS seconds
FROM backtest_sessions ORDER BY completed_at DESC LIMIT 10;
