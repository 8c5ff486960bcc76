-- When a bot's metrics were last reset: the later of the fleet-wide reset
-- (p_fleet_reset, settings.metrics_reset_at) and the bot's own (bots.metrics_reset_at);
-- null when neither. Evidence older than this is hidden (bot_evidence) and paper
-- evidence starts over (paper_evidence_since). The one home of the rule. The caller
-- reads the setting, once per statement over many bots:
-- effective_reset_at(b.metrics_reset_at, (select setting('metrics_reset_at') #>> '{}')::timestamptz).
create or replace function effective_reset_at(p_bot_reset timestamptz, p_fleet_reset timestamptz) returns timestamptz
language sql immutable as $$
    select greatest(p_fleet_reset, p_bot_reset)
$$;
