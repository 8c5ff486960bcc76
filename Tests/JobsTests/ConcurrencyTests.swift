import Foundation
import Postgres
import XCTest

/// Acceptance: 4 worker processes and 1,000 jobs → every job completed exactly
/// once, no session recorded twice.
final class ConcurrencyTests: WorkerTestCase {
    func testFourWorkersCompleteEveryJobExactlyOnce() throws {
        let bots = try database.seedBots(5)
        try database.setSetting("backtest_concurrency", "4")
        // The queue is under test, not the research: short baselines keep a debug build inside the timeout.
        try database.setSetting("baseline_trading_days", "20")
        for i in 1...4 { try startWorker("w\(i)", slots: 2) }

        // Enqueued while the workers run, in several transactions, so wake-ups
        // arrive through NOTIFY as well as polling.
        for _ in 0..<10 {
            // In the select list, so the function runs once per row.
            let created = try database.db.query("select (enqueue_job(null, 'NOOP')).created from generate_series(1, 100)")
            XCTAssertEqual(created.rowCount, 100)
        }
        for bot in bots {
            try database.enqueue(bot, "BACKTEST_BASELINE")
            try database.enqueue(bot, "BACKTEST_REFRESH")
        }
        let total = 1000 + 2 * bots.count

        let done = try database.waitUntil(timeout: 45) {
            try database.int("select count(*) from bot_jobs where status in ('COMPLETED', 'FAILED')") == total
        }
        let open = try database.int("select count(*) from bot_jobs where status <> 'COMPLETED'")
        XCTAssertTrue(done, "jobs still open: \(open)")
        XCTAssertEqual(try database.int("select count(*) from bot_jobs where status = 'COMPLETED'"), total)
        // Exactly one claim and one completion per job in the audit trail.
        XCTAssertEqual(try database.int("""
            select count(*) from bot_jobs j
             where (select count(*) from job_run_events e
                     where e.job_id = j.id and e.from_status = 'RUNNING' and e.to_status = 'COMPLETED') <> 1
                or (select count(*) from job_run_events e
                     where e.job_id = j.id and e.from_status = 'QUEUED' and e.to_status = 'RUNNING') <> 1
            """), 0)
        XCTAssertEqual(try database.int("select count(*) from bot_jobs where attempt <> 1"), 0)
        // The work really was shared.
        XCTAssertGreaterThanOrEqual(try database.int(
            "select count(distinct worker_id) from job_run_events where to_status = 'RUNNING'"), 2)

        // One session per backtest job, each with the evidence the proofs read.
        XCTAssertEqual(try database.int("select count(*) from backtest_sessions"), 2 * bots.count)
        XCTAssertEqual(try database.int("select count(distinct job_id) from backtest_sessions"), 2 * bots.count)
        XCTAssertEqual(try database.int("""
            select count(*) from backtest_sessions
             where status = 'COMPLETED' and bars_tested >= 1000 and data_source = 'synthetic'
               and realized_pnl is not null and window_to <= now()
            """), 2 * bots.count)
        XCTAssertEqual(try database.int("""
            select count(*) from backtest_sessions s
             where s.trades_count <> (select count(*) from trade_logs t where t.session_id = s.id)
            """), 0)
        XCTAssertGreaterThan(try database.int("select count(*) from trade_logs"), 0)
        XCTAssertGreaterThanOrEqual(try database.int(
            "select count(*) from integration_usage_events where provider = 'synthetic' and status = 'OK'"), 2 * bots.count)
        XCTAssertEqual(try database.int("select count(*) from activity_events where event_type = 'BACKTEST_COMPLETED'"),
                       2 * bots.count)

        for worker in workers { XCTAssertEqual(worker.terminate(), 0, "\(worker.id) exit code") }
        XCTAssertEqual(try database.int("select count(*) from worker_heartbeats where status = 'STOPPED'"), 4)
    }
}
