-- Whether a paper runner has gone quiet: its last heartbeat (or, before the first, its
-- start) is more than 10 s old — it heartbeats every second, so it is frozen or dead.
-- The one home of the threshold: a paper run (paper_run_stale) and a runner's
-- RUNNER_START job (bot_now's RUNNER_STALE) are judged by it.
create or replace function runner_heartbeat_stale(p_last timestamptz) returns boolean
language sql stable as $$
    select p_last < now() - interval '10 seconds'
$$;
