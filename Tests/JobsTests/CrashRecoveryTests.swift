import Foundation
import Postgres
import XCTest

/// Acceptance: `kill -9` a worker mid-backtest → the job is rescued as soon as its
/// database session is gone (the lease is the fallback), retried by another worker
/// and completed exactly once.
final class CrashRecoveryTests: WorkerTestCase {
    func testKilledWorkersJobIsRescuedAndCompletedOnce() throws {
        let bot = try XCTUnwrap(database.seedBots(1).first)
        try database.setSetting("job_lease_seconds", "60") // the session, not the lease, gives the death away
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
            "->QUEUED:REQUESTED:-", "QUEUED>RUNNING:CLAIMED:doomed", "RUNNING>TIMEOUT:WORKER_GONE:doomed",
            "TIMEOUT>QUEUED:RETRY_AFTER_TIMEOUT:doomed", "QUEUED>RUNNING:CLAIMED:survivor",
            "RUNNING>COMPLETED:BACKTEST_RECORDED:survivor",
        ])
        XCTAssertEqual(survivor.terminate(), 0)
    }

    /// Twenty `kill -9`s of a worker holding a long job, a live worker beside it: how
    /// long from each kill until the job is released (RUNNING → TIMEOUT), with a
    /// 60-second lease. The survivor's heartbeat (at most every 5 s) finds the dead
    /// worker's session gone; before, a rescue waited for the lease (median 60.1 s).
    func testTwentyKillsAreRescuedInSecondsExactlyOnce() throws {
        let bots = try database.seedBots(20)
        try database.setSetting("job_lease_seconds", "60")
        let survivor = try startWorker("survivor", slots: 1, types: "NOOP")
        var seconds: [Double] = []
        for (round, bot) in bots.enumerated() {
            let doomed = try startWorker("doomed\(round)", slots: 1, types: "BACKTEST_BASELINE",
                                         environment: ["GAUNTLET_TEST_EXECUTOR_DELAY_MS": "600000"])
            let job = try database.enqueue(bot, "BACKTEST_BASELINE")
            XCTAssertTrue(try database.waitUntil(timeout: 15) {
                try database.text("select status from bot_jobs where id = $1", [job]) == "RUNNING"
            }, "round \(round): never claimed")
            let killed = Date()
            doomed.killHard()
            XCTAssertTrue(try database.waitUntil(timeout: 70) {
                try database.text("select status from bot_jobs where id = $1", [job]) != "RUNNING"
            }, "round \(round): not rescued")
            seconds.append(Date().timeIntervalSince(killed))
            XCTAssertEqual(try database.int("""
                select count(*)::int from job_run_events where job_id = $1 and to_status = 'TIMEOUT'
                """, [job]), 1, "round \(round): released exactly once")
            try database.db.query("update bot_jobs set status = 'CANCELLED', status_reason = 'TEST_DONE', finished_at = now() where id = $1", [job])
        }
        let sorted = seconds.sorted()
        print(String(format: "rescue after kill -9, 20 rounds: median %.2f s, max %.2f s, min %.2f s",
                     (sorted[9] + sorted[10]) / 2, sorted.last!, sorted.first!))
        XCTAssertLessThan(sorted[10], 30, "rescued by the dead session, not the 60 s lease")
        XCTAssertEqual(try database.int("""
            select count(*)::int from job_run_events e join bot_jobs j on j.id = e.job_id
             where e.to_status = 'TIMEOUT' and e.reason_code = 'WORKER_GONE'
            """), 20)
        XCTAssertEqual(survivor.terminate(), 0)
    }
}
