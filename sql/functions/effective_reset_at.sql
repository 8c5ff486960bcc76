-- When a bot's metrics were last reset: the later of the fleet-wide reset
-- (settings.metrics_reset_at) and the bot's own (bots.metrics_reset_at); null when
-- neither. Evidence older than this is hidden (bot_evidence) and paper evidence starts
-- over (paper_evidence_since). The one home of the rule.
create or replace function effective_reset_at(p_bot_reset timestamptz) returns timestamptz
language sql stable as $$
    select greatest((setting('metrics_reset_at') #>> '{}')::timestamptz, p_bot_reset)
$$;
