-- The research_weekly schedule's function: a WEEKLY research run of every archetype
-- on its own instrument over the 182 days before today (UTC). A run still in
-- progress is not interrupted: the week's slot is then recorded as skipped in its
-- message, not failed. Returns the run id or why none started.
create or replace function start_weekly_research() returns text
language plpgsql volatile as $$
declare
    v_to date := (now() at time zone 'UTC')::date;
begin
    if exists (select 1 from research_runs where state in ('QUEUED', 'RUNNING')) then
        return 'RUN_IN_PROGRESS: this week''s slot is skipped';
    end if;
    return start_research_run('WEEKLY', null, null, v_to - 182, v_to)::text;
end
$$;
