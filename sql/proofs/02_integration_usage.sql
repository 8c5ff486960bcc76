-- PROOFS.md §2: provider calls in the last 24 hours.
SELECT provider, count(*) FROM integration_usage_events WHERE created_at > NOW() - INTERVAL '24 hours' GROUP BY provider;
