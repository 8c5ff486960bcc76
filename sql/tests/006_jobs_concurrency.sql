-- Claims under concurrency, with a second real session (dblink): a job another
-- transaction has locked is skipped, not waited for (FOR UPDATE SKIP LOCKED),
-- and backtest claims are serialised by the advisory lock while other types
-- are not. The second session's rows are committed, so this file cleans up
-- after itself; it must not truncate (that would lock out the second session).
begin;
select plan(7);

create extension if not exists dblink;
select dblink_connect('other', format('dbname=%s user=%s port=%s host=%s', current_database(), current_user,
                                      current_setting('port'),
                                      split_part(current_setting('unix_socket_directories'), ',', 1)));
set local lock_timeout = '2s';

-- A committed NOOP job, locked by the other session's open transaction.
create temp table marked as
select id::uuid from dblink('other', $$select job_id::text from enqueue_job(null, 'NOOP', 0, '{"skip_locked_test": true}')$$) as t(id text);
select dblink_exec('other', 'begin');
select is((select count(*)::int from dblink('other', format($$select id from bot_jobs where id = %L for update$$,
                                                              (select id from marked))) as t(id uuid)),
          1, 'the other session holds the job''s row lock');
select is((select count(*)::int from claim_jobs('w-main', '{NOOP}', 100) c where c.job_id = (select id from marked)), 0,
          'a locked job is skipped, without waiting');
select is((select status from bot_jobs where id = (select id from marked)), 'QUEUED', 'and stays QUEUED');

-- Backtest claims take the advisory lock; the other session holds it inside its transaction.
select dblink_exec('other', 'rollback');
select dblink_exec('other', 'begin');
select ok((select count(*) from dblink('other', $$select job_id from claim_jobs('w-other', '{BACKTEST_BASELINE}', 1)$$) as t(id uuid)) >= 0,
          'the other session runs a backtest claim (and keeps the lock until it ends; rolled back)');
set local lock_timeout = '200ms';
select throws_ok($$select * from claim_jobs('w-main', '{BACKTEST_REFRESH}', 1)$$, '55P03', null,
                 'a concurrent backtest claim waits for it (serialised)');
select lives_ok($$select * from claim_jobs('w-main', '{NOOP}', 1)$$, 'a claim without backtest types takes no lock');
select dblink_exec('other', 'rollback');
set local lock_timeout = '2s';

-- The job was claimable all along: the other session claims it once the lock is gone.
select is((select count(*)::int from dblink('other', $$select job_id from claim_jobs('w-other', '{NOOP}', 100)$$) as t(id uuid)
            where id = (select id from marked)), 1, 'once unlocked, the skipped job is claimed');

-- Clean up the other session's committed rows.
select dblink_exec('other', format($$delete from job_run_events where job_id = %L$$, (select id from marked)));
select dblink_exec('other', format($$delete from bot_jobs where id = %L$$, (select id from marked)));
select dblink_disconnect('other');

select * from finish();
rollback;
