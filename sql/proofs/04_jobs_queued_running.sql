-- PROOFS.md §4: Are there ANY jobs queued/running?
SELECT job_type, status, COUNT(*)
FROM bot_jobs
WHERE status IN ('QUEUED','RUNNING')
GROUP BY 1,2
ORDER BY 1,2;
