-- PROOFS.md §4: Are planner runs happening?
SELECT * FROM autonomy_planner_runs ORDER BY started_at DESC LIMIT 10;
