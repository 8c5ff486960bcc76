-- Whether a refusal by paper_order_risk counts against the bot as a risk breach (the
-- PAPER → SHADOW gate paper_risk_breaches): an order the bot itself made too big, too
-- risky, too frequent or without a sound stop. Not the bot's doing, so not counted:
-- LIVE_DISABLED, KILL_SWITCH (an operator), CIRCUIT_BREAKER (the trip is counted once
-- by itself), NO_LIMITS and MARGIN_UNKNOWN (configuration), ERRORS_PER_SESSION (the
-- runner's errors), ORDERS_PER_MINUTE (measured on the wall clock, which a resumed run
-- or a provider's backfill compresses: a burst of bars is not the bot's doing).
create or replace function paper_risk_breach(p_code text) returns boolean
language sql immutable as $$
    select p_code in ('EXIT_EXCEEDS_POSITION', 'NO_STOP', 'INVALID_STOP', 'MAX_LOSS_PER_TRADE',
                      'MIN_REWARD_RISK', 'MAX_POSITION', 'MAX_NOTIONAL', 'MAX_DAILY_LOSS', 'MAX_DAILY_LOSS_PCT',
                      'INSUFFICIENT_MARGIN')
$$;
