-- PROOFS.md §5: the users' own bulk revert, as written. It changes data.
-- proof-pack: skip
BEGIN;
INSERT INTO bot_stage_events (id, bot_id, from_stage, to_stage, reason_code, actor, created_at)
SELECT gen_random_uuid(), id, stage, 'LAB', 'BULK_REVERT_REBASELINE', 'system', now()
FROM bots
WHERE stage IN ('PAPER','SHADOW','CANARY','LIVE');

UPDATE bots
SET stage = 'LAB',
    stage_updated_at = now(),
    stage_reason_code = 'BULK_REVERT_REBASELINE'
WHERE stage IN ('PAPER','SHADOW','CANARY','LIVE');
COMMIT;
