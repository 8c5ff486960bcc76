-- What var/research/ should hold, for the timer leader that writes it (Swift
-- ResearchArchive; the database is the source, the files are exports):
--   "partial": api_research_latest(true) while a run is QUEUED or RUNNING, else null
--              (latest.partial.json);
--   "latest":  the last COMPLETED run's doc, without lastError (latest.json, and the
--              archive "<week>.json" named by its iso_week, in "week");
--   "error":   {state, runId, message, finishedAt, window} when the newest finished
--              run is an ERROR after the last good one (latest.error.json), else null.
-- "version" changes whenever any of these would; with p_version equal to it the
-- function returns null, so an idle tick costs one small query.
create or replace function research_export(p_version text) returns jsonb
language sql stable as $$
    with newest as (
        select * from research_runs order by created_at desc limit 1
    ), good as (
        select * from research_runs where state = 'COMPLETED' order by finished_at desc limit 1
    ), failed as (
        select f.* from research_runs f
         where f.state = 'ERROR' and f.finished_at > coalesce((select finished_at from good), '-infinity')
         order by f.finished_at desc limit 1
    ), current as (
        select concat_ws(':', n.id, n.state, n.progress_done, (select id from good), (select id from failed)) as version
          from (select 1) one left join newest n on true
    )
    select jsonb_build_object(
               'version', c.version,
               'partial', case when exists (select 1 from research_runs where state in ('QUEUED', 'RUNNING'))
                               then api_research_latest(true) end,
               'latest', (select api_research_latest(false) - 'lastError' from good),
               'week', (select iso_week from good),
               'error', (select jsonb_build_object('state', 'error', 'runId', f.id, 'message', f.message,
                                                   'finishedAt', f.finished_at,
                                                   'window', jsonb_build_object('start', f.window_start, 'end', f.window_end))
                           from failed f))
      from current c
     where c.version is distinct from p_version
$$;
