-- Takes the session lock of a paper account for the caller's connection (a runner
-- holds it for as long as it trades the account); false when another session holds
-- it (the runner then exits with ALREADY_RUNNING). The lock goes with the connection.
create or replace function lock_paper_account(p_account uuid) returns boolean
language sql volatile as $$
    select pg_try_advisory_lock(lock_key('paper_account')::int, hashtext(p_account::text))
$$;
