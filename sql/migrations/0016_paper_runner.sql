-- The paper runner's session rows (docs/paper.md, "The runner"): which bot a run
-- trades, its heartbeat, the last bar it booked (booked in the same transaction as
-- that bar's orders and fills, so a restart knows exactly where the ledger stands) and
-- its final report.
alter table paper_runs
    add column bot_id        uuid references bots (id),
    add column heartbeat_at  timestamptz,
    add column last_bar_time timestamptz,
    add column report        jsonb check (report is null or jsonb_typeof(report) = 'object');

-- One runner per paper account: a session lock in the two-key form, this key and the
-- account id's hash (lock_paper_account).
insert into advisory_locks (name, key, scope, description) values
    ('paper_account', 20261203, 'session',
     'gauntlet runner: one runner per paper account (pg_try_advisory_lock(key, hashtext(account id)), lock_paper_account)');
