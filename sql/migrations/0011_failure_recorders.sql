-- What a kind's final failure leaves behind is the kind's business, as its
-- completion is (job_kinds.recorder): job_kinds.failure_recorder names the
-- function record_job_failure calls with (job, error code, message) when a job of
-- the kind gives up, instead of record_job_failure knowing each kind.
alter table job_kinds add column failure_recorder text;
update job_kinds set failure_recorder = 'record_research_cell_failure' where kind = 'RESEARCH_CELL';
update job_kinds set failure_recorder = 'record_research_plan_failure' where kind = 'GRID';
