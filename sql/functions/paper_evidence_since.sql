-- When a bot's paper evidence began: its latest move into its stage, or its effective
-- metrics reset if later. Paper sessions and the paper drawdown count from here, so a
-- bot demoted and promoted again starts over (paper_evidence, sample_paper_equity).
create or replace function paper_evidence_since(p_bot uuid) returns timestamptz
language sql stable as $$
    select greatest(b.stage_updated_at,
                    effective_reset_at(b.metrics_reset_at, (setting('metrics_reset_at') #>> '{}')::timestamptz))
      from bots b where b.id = p_bot
$$;
