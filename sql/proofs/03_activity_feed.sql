-- PROOFS.md §3: the activity feed.
SELECT event_type, bot_id, created_at FROM activity_events ORDER BY created_at DESC LIMIT 30;
