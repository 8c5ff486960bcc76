import Backtest
import Foundation
import Postgres
import XCTest

/// A research run shared by two real worker processes, one of them `kill -9`ed while
/// it holds a cell: the lease rescuer requeues that cell, the other worker finishes
/// the run, and every cell is recorded exactly once.
final class ResearchRunTests: WorkerTestCase {
    func testARunSurvivesAKilledWorkerWithEveryCellRecordedOnce() throws {
        _ = try database.seedBots(2)
        let archetype = Archetypes.all[1]
        try database.setSetting("job_lease_seconds", "5") // the smallest lease settings allow
        let doomed = try startWorker("doomed", slots: 1, types: "GRID,RESEARCH_CELL")
        let survivor = try startWorker("survivor", slots: 1, types: "GRID,RESEARCH_CELL")
        let run: UUID = try database.db.query("""
            select start_research_run('MANUAL', array[$1], null, '2025-01-02', '2025-04-01', '{"max_cells": 25}') as id
            """, [archetype.slug]).single().decode("id")

        XCTAssertTrue(try database.waitUntil(timeout: 60) {
            try database.int("""
                select count(*)::int from bot_jobs where job_type = 'RESEARCH_CELL' and status = 'RUNNING' and worker_id = 'doomed'
                """) > 0
        }, "the doomed worker never held a cell")
        let held = try database.int("select progress_done from research_runs where id = $1", [run])
        doomed.killHard()
        XCTAssertEqual(doomed.exitCode, 128 + SIGKILL)

        XCTAssertTrue(try database.waitUntil(timeout: 120) {
            try database.text("select state from research_runs where id = $1", [run]) == "COMPLETED"
        }, "the run did not complete after the kill (\(held) cells were done at the kill)")
        let total = try database.int("select progress_total from research_runs where id = $1", [run])
        XCTAssertEqual(total, 25)
        XCTAssertEqual(try database.int("select progress_done from research_runs where id = $1", [run]), total)
        XCTAssertEqual(try database.int("select count(*)::int from research_rows where run_id = $1", [run]), total,
                       "one row per cell")
        XCTAssertEqual(try database.int("select count(distinct cell)::int from research_rows where run_id = $1", [run]), total)
        XCTAssertEqual(try database.int("""
            select count(*)::int from bot_jobs where job_type = 'RESEARCH_CELL' and status <> 'COMPLETED'
            """), 0, "every cell's job completed")
        XCTAssertGreaterThanOrEqual(try database.int("""
            select count(*)::int from job_run_events e join bot_jobs j on j.id = e.job_id
             where j.job_type = 'RESEARCH_CELL' and e.reason_code in ('WORKER_GONE', 'LEASE_EXPIRED')
               and e.worker_id = 'doomed'
            """), 1, "the killed worker's cell was rescued (its session gone, or its lease out)")
        XCTAssertEqual(try database.int("""
            select count(*)::int from bot_jobs j where j.job_type = 'RESEARCH_CELL'
               and (select count(*) from job_run_events e where e.job_id = j.id and e.to_status = 'COMPLETED') <> 1
            """), 0, "exactly one completion per cell")
        XCTAssertEqual(survivor.terminate(), 0)
    }
}
