-- Every trade names the rule that admitted it (Backtest EntryReason, e.g. "breakout:
-- close 5012.50 > range high 5012.25"), so a reader can see why a trade happened.
-- Trades recorded before this migration say so instead of being left blank.
alter table trade_logs add column entry_reason text;
update trade_logs set entry_reason = 'not recorded (trade logged before migration 0014)';
alter table trade_logs alter column entry_reason set not null,
    add constraint trade_logs_entry_reason_named check (length(entry_reason) > 0);
