-- The planner and supervisor ticks, set-based (issue 14, docs/tick.md).
--
-- Functions read per row by the ticks become columns and pure rules, so a tick
-- reads each table once instead of once per bot:
--   * roster_disabled(uuid) is now bot_evidence.roster_disabled (a join on roster);
--   * effective_reset_at(timestamptz) takes the fleet-wide reset as an argument
--     (effective_reset_at(timestamptz, timestamptz)), read once per query.
-- Dropping them drops the views and functions built on them (bot_evidence,
-- gate_evaluations, gate_status, api_bot_summary …); migrate re-creates every one
-- from sql/functions right after the migrations.
drop function if exists roster_disabled(uuid) cascade;
drop function if exists effective_reset_at(timestamptz) cascade;

-- Each bot's last EVOLVE job (evolution_holds: PARAMS_EXHAUSTED) without reading the
-- bot's whole job history; EVOLVE jobs are few, so the queue hardly pays for it.
create index bot_jobs_evolve on bot_jobs (bot_id, created_at desc) where job_type = 'EVOLVE';
