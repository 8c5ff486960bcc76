import Foundation
import Postgres
import XCTest

/// Acceptance: SIGTERM lets running jobs finish within the grace period,
/// releases the ones that cannot, marks the worker STOPPED and exits 0.
final class ShutdownTests: WorkerTestCase {
    func testSigtermReleasesAJobThatOutlastsTheGracePeriod() throws {
        let bot = try XCTUnwrap(database.seedBots(1).first)
        let worker = try startWorker("slow", slots: 1, types: "BACKTEST_BASELINE", graceSeconds: 0.5,
                                     environment: ["GAUNTLET_TEST_EXECUTOR_DELAY_MS": "120000"])
        let job = try database.enqueue(bot, "BACKTEST_BASELINE")
        XCTAssertTrue(try database.waitUntil(timeout: 15) {
            try database.text("select status from bot_jobs where id = $1", [job]) == "RUNNING"
        })

        XCTAssertEqual(worker.terminate(timeout: 15), 0)
        XCTAssertEqual(try database.text("select status from bot_jobs where id = $1", [job]), "QUEUED")
        XCTAssertEqual(try database.int("select attempt from bot_jobs where id = $1", [job]), 0)
        XCTAssertEqual(try database.text(
            "select reason_code from job_run_events where job_id = $1 order by id desc limit 1", [job]), "WORKER_SHUTDOWN")
        XCTAssertEqual(try database.int("select count(*) from backtest_sessions where job_id = $1", [job]), 0)
        XCTAssertEqual(try database.text("select status from worker_heartbeats where worker_id = 'slow'"), "STOPPED")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("slow.pid").path),
                       "the pidfile was left behind")
    }

    func testSigtermLetsARunningJobFinish() throws {
        let bot = try XCTUnwrap(database.seedBots(1).first)
        let worker = try startWorker("patient", slots: 1, types: "BACKTEST_BASELINE", graceSeconds: 30,
                                     environment: ["GAUNTLET_TEST_EXECUTOR_DELAY_MS": "1500"])
        let job = try database.enqueue(bot, "BACKTEST_BASELINE")
        XCTAssertTrue(try database.waitUntil(timeout: 15) {
            try database.text("select status from bot_jobs where id = $1", [job]) == "RUNNING"
        })

        XCTAssertEqual(worker.terminate(timeout: 30), 0)
        XCTAssertEqual(try database.text("select status from bot_jobs where id = $1", [job]), "COMPLETED")
        XCTAssertEqual(try database.int("select count(*) from backtest_sessions where job_id = $1", [job]), 1)
        XCTAssertEqual(try database.text("select status from worker_heartbeats where worker_id = 'patient'"), "STOPPED")
        XCTAssertTrue(worker.log.contains("\"trace_id\""), "job log lines carry the trace id")
    }
}
