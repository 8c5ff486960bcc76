-- Jobs per type and status, every status (a DBA's view of the whole queue; it
-- scans bot_jobs — api_scheduler_status counts only the active rows).
create or replace view queue_depths as
select job_type, status, count(*) as count
  from bot_jobs
 group by job_type, status;
