import Foundation
import Postgres
import XCTest

/// Acceptance: `kill -9` a worker mid-backtest → the job is rescued after its
/// lease, retried by another worker and completed exactly once.
final class CrashRecoveryTests: WorkerTestCase {
    func testKilledWorkersJobIsRescuedAndCompletedOnce() throws {
        let bot = try XCTUnwrap(database.seedBots(1).first)
        try database.setSetting("job_lease_seconds", "5") // the smallest lease settings allow
        let doomed = try startWorker("doomed", slots: 1, types: "BACKTEST_BASELINE",
                                     environment: ["GAUNTLET_TEST_EXECUTOR_DELAY_MS": "120000"])
        let job = try database.enqueue(bot, "BACKTEST_BASELINE")
        XCTAssertTrue(try database.waitUntil(timeout: 15) {
            try database.text("select worker_id from bot_jobs where id = $1 and status = 'RUNNING'", [job]) == "doomed"
        }, "the first worker never claimed the job")

        let survivor = try startWorker("survivor", slots: 1, types: "BACKTEST_BASELINE")
        doomed.killHard()
        XCTAssertEqual(doomed.exitCode, 128 + SIGKILL)

        // The lease runs out because nobody heartbeats it any more; the survivor's
        // heartbeat runs the lease rescuer, which requeues the job, and the
        // survivor claims it — no manual step.
        XCTAssertTrue(try database.waitUntil(timeout: 30) {
            try database.text("select status from bot_jobs where id = $1", [job]) == "COMPLETED"
        }, "the rescued job was not completed")
        XCTAssertEqual(try database.int("select attempt from bot_jobs where id = $1", [job]), 2)
        XCTAssertEqual(try database.int("select count(*) from backtest_sessions where job_id = $1", [job]), 1)
        XCTAssertEqual(try database.text("select status from backtest_sessions where job_id = $1", [job]), "COMPLETED")
        let transitions = try database.db.query("""
            select coalesce(from_status, '-') || '>' || to_status || ':' || reason_code || ':' || coalesce(worker_id, '-') as t
              from job_run_events where job_id = $1 order by id
            """, [job]).rows.map { try $0.decode("t", as: String.self) }
        XCTAssertEqual(transitions, [
            "->QUEUED:REQUESTED:-", "QUEUED>RUNNING:CLAIMED:doomed", "RUNNING>TIMEOUT:LEASE_EXPIRED:doomed",
            "TIMEOUT>QUEUED:RETRY_AFTER_TIMEOUT:doomed", "QUEUED>RUNNING:CLAIMED:survivor",
            "RUNNING>COMPLETED:BACKTEST_RECORDED:survivor",
        ])
        XCTAssertEqual(survivor.terminate(), 0)
    }
}
