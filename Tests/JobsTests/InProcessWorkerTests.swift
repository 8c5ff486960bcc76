import Foundation
import Jobs
import Postgres
import XCTest

/// The `Worker` engine in this process: backtests on synthetic bars recorded
/// through complete_leased_job with the p_result shape of docs/jobs.md.
final class InProcessWorkerTests: XCTestCase {
    var database: ScratchDatabase!

    override func setUpWithError() throws { database = try ScratchDatabase() }
    override func tearDown() { database?.drop() }

    func testBacktestsAreRecordedWithTheirEvidence() throws {
        let bots = try database.seedBots(2)
        let hourly = try XCTUnwrap(database.seedBots(3, timeframe: "1h").last)
        let recent = try database.enqueue(bots[0], "BACKTEST_BASELINE")
        let windowed = try database.enqueue(bots[1], "BACKTEST_BASELINE", payload: #"{"from":"2026-09-01","to":"2026-10-01"}"#)
        let wide = try database.enqueue(hourly, "BACKTEST_BASELINE")
        for _ in 0..<25 { try database.enqueue(nil, "NOOP") }

        let worker = try Worker(WorkerConfiguration(
            identity: WorkerIdentity(id: "inproc", slots: 2, requestedKinds: ["BACKTEST_BASELINE", "NOOP"]),
            database: .init(conninfo: database.conninfo),
            executors: [BacktestExecutor(environment: [:]), NoopExecutor()], gracePeriod: 5))
        let finished = DispatchSemaphore(value: 0)
        let shutdown = LockedBox<Worker.Shutdown?>(nil)
        Thread {
            shutdown.value = try? worker.run()
            finished.signal()
        }.start()
        let done = try database.waitUntil(timeout: 30) {
            try database.int("select count(*) from bot_jobs where status <> 'COMPLETED'") == 0
        }
        worker.stop()
        XCTAssertEqual(finished.wait(timeout: .now() + 15), .success)
        let errors = try database.text("select string_agg(error_code || ': ' || error_message, '; ') from bot_jobs")
        XCTAssertTrue(done, errors ?? "jobs still open")
        XCTAssertEqual(shutdown.value?.released, 0)

        // The last completed sessions before now, on whole sessions, ≥ 1000 bars (1h widens the window).
        for job in [recent, wide] {
            XCTAssertEqual(try database.int("""
                select count(*) from backtest_sessions
                 where job_id = $1 and bars_tested >= 1000 and window_to <= now() and window_from < window_to
                   and data_source = 'synthetic' and engine_version like 'gauntlet-engine/%'
                   and jsonb_typeof(metrics) = 'object' and jsonb_typeof(equity_curve) = 'array'
                   and duration_ms >= 0 and completed_at >= started_at
                """, [job]), 1, "session of \(job)")
        }
        XCTAssertEqual(try database.text("select timeframe from backtest_sessions where job_id = $1", [wide]), "1h")
        // The payload's window: trade dates from the open of 2026-09-01's session to the open of 2026-10-01's.
        XCTAssertEqual(try database.text("""
            select to_char(window_from at time zone 'America/Chicago', 'YYYY-MM-DD HH24:MI') || ' .. '
                || to_char(window_to at time zone 'America/Chicago', 'YYYY-MM-DD HH24:MI')
              from backtest_sessions where job_id = $1
            """, [windowed]), "2026-08-31 17:00 .. 2026-09-30 17:00")
        // The engine's hash of the complete parameter set, the same as the bot's for default params.
        XCTAssertEqual(try database.int("""
            select count(*) from backtest_sessions s join bots b on b.id = s.bot_id where s.params_hash <> b.params_hash
            """), 0)
        XCTAssertEqual(try database.int("""
            select count(*) from backtest_sessions s
             where s.trades_count <> (select count(*) from trade_logs t where t.session_id = s.id)
            """), 0)
        XCTAssertEqual(try database.int("""
            select count(*) from backtest_sessions s join bot_jobs j on j.id = s.job_id where s.trace_id <> j.trace_id
            """), 0)
        XCTAssertEqual(try database.int("""
            select count(*) from integration_usage_events u join bot_jobs j on j.id = u.job_id
             where u.trace_id = j.trace_id and u.provider = 'synthetic' and u.bars_returned > 0
            """), 3)
        XCTAssertEqual(try database.text("select status from worker_heartbeats where worker_id = 'inproc'"), "STOPPED")
    }

    func testInvalidParamsFailWithoutRetry() throws {
        let bot = try XCTUnwrap(database.seedBots(1).first)
        try database.db.query(#"update bots set params = '{"contracts": 99}' where id = $1"#, [bot])
        let job = try database.enqueue(bot, "BACKTEST_BASELINE")
        let worker = try Worker(WorkerConfiguration(
            identity: WorkerIdentity(id: "strict", slots: 1, requestedKinds: ["BACKTEST_BASELINE"]),
            database: .init(conninfo: database.conninfo), executors: [BacktestExecutor(environment: [:])]))
        let finished = DispatchSemaphore(value: 0)
        Thread {
            _ = try? worker.run()
            finished.signal()
        }.start()
        let failed = try database.waitUntil(timeout: 15) {
            try database.text("select status from bot_jobs where id = $1", [job]) == "FAILED"
        }
        worker.stop()
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success)
        XCTAssertTrue(failed)
        XCTAssertEqual(try database.text("select error_code from bot_jobs where id = $1", [job]), "PARAMS_OUT_OF_BOUNDS")
        XCTAssertEqual(try database.int("select attempt from bot_jobs where id = $1", [job]), 1)
        XCTAssertEqual(try database.text("select status from backtest_sessions where job_id = $1", [job]), "FAILED")
    }

    func testAWorkerWithoutAnExecutorForAKindRefusesToStart() throws {
        for (kind, code) in [("EVOLVE", "NO_EXECUTOR"), ("NO_SUCH_KIND", "UNKNOWN_JOB_KIND")] {
            let worker = try Worker(WorkerConfiguration(
                identity: WorkerIdentity(slots: 1, requestedKinds: [JobKind(rawValue: kind)]),
                database: .init(conninfo: database.conninfo), executors: [NoopExecutor()]))
            XCTAssertThrowsError(try worker.run(), kind) { error in
                XCTAssertEqual((error as? WorkerError)?.code, code)
            }
        }
    }

    /// Kinds come from job_kinds: a worker given no --types runs every kind whose
    /// executor it has, and a kind added as a row is claimed without a code change.
    func testKindsComeFromTheTable() throws {
        try database.db.query("""
            insert into job_kinds (kind, executor, proof_key, description) values ('NOOP_TOO', 'noop', 'noop', 'test kind')
            """)
        let bot = try XCTUnwrap(database.seedBots(1).first)
        let job = try database.enqueue(bot, "NOOP_TOO")
        let worker = try Worker(WorkerConfiguration(
            identity: WorkerIdentity(id: "table", slots: 1), database: .init(conninfo: database.conninfo),
            executors: [NoopExecutor()], gracePeriod: 1))
        let finished = DispatchSemaphore(value: 0)
        Thread {
            _ = try? worker.run()
            finished.signal()
        }.start()
        let done = try database.waitUntil(timeout: 15) {
            try database.text("select status from bot_jobs where id = $1", [job]) == "COMPLETED"
        }
        worker.stop()
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success)
        XCTAssertTrue(done)
        XCTAssertEqual(try database.text("select array_to_string(job_types, ',') from worker_heartbeats where worker_id = 'table'"),
                       "NOOP,NOOP_TOO")
    }
}

/// A value handed from a worker thread back to the test.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
