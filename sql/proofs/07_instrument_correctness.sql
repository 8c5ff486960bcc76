-- PROOFS.md §7: Instrument correctness
SELECT bot_id, instrument, tick_size, contract_multiplier
FROM backtest_sessions ORDER BY completed_at DESC LIMIT 10;
