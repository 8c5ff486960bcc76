import Backtest
import Foundation
import Jobs
import Postgres
import XCTest

/// GAUNTLET_DATA_DIR holding only ES files: the starter pack's baselines, run by a
/// worker whose executor is configured from that environment, judge the ES bots on
/// the file's real bars and every other bot on labelled synthetic bars — and only the
/// ES bots pass the PAPER → SHADOW `data_is_real` gate.
final class DataDirTests: XCTestCase {
    var database: ScratchDatabase!

    override func setUpWithError() throws { database = try ScratchDatabase() }
    override func tearDown() { database?.drop() }

    func testStarterPackBaselinesUseTheFilesWhereTheyExistAndSyntheticElsewhere() throws {
        try database.seedStarterPack()
        // 30 sessions reach every ES session of the file; the synthetic bots need no more to show their label.
        try database.setSetting("baseline_trading_days", "30")
        let bots = Archetypes.all.count
        let esBots = Archetypes.all.filter { $0.instrument == "ES" }.count
        XCTAssertGreaterThan(esBots, 0)
        XCTAssertEqual(try database.int("select count(*) from bot_jobs where job_type = 'BACKTEST_BASELINE' and status = 'QUEUED'"),
                       bots, "seed_starter_pack queues every bot's baseline")

        let environment = ["GAUNTLET_DATA_DIR": BacktestWindowEndTests.esDirectory]
        let worker = try Worker(WorkerConfiguration(
            identity: WorkerIdentity(id: "datadir", slots: 2, requestedKinds: ["BACKTEST_BASELINE"]),
            database: .init(conninfo: database.conninfo),
            executors: [BacktestExecutor(environment: environment)], gracePeriod: 5))
        let finished = DispatchSemaphore(value: 0)
        Thread {
            _ = try? worker.run()
            finished.signal()
        }.start()
        let done = try database.waitUntil(timeout: 300) {
            try database.int("select count(*) from bot_jobs where status in ('QUEUED', 'RUNNING')") == 0
        }
        worker.stop()
        XCTAssertEqual(finished.wait(timeout: .now() + 15), .success)
        XCTAssertTrue(done, "baselines still open")
        let errors = try database.text("select string_agg(error_code || ': ' || error_message, '; ') from bot_jobs")
        XCTAssertEqual(try database.int("select count(*) from bot_jobs where status <> 'COMPLETED'"), 0, errors ?? "")

        // Where each bot's bars came from.
        let sources = try database.db.query("""
            select b.instrument, s.data_source, count(*)::int as sessions
              from backtest_sessions s join bots b on b.id = s.bot_id
             where s.status = 'COMPLETED'
             group by 1, 2 order by 1, 2
            """).rows.map { ($0.text(at: 0) ?? "", $0.text(at: 1) ?? "", try $0.decode(at: 2) as Int) }
        XCTAssertEqual(sources.reduce(0) { $0 + $1.2 }, bots)
        for (instrument, source, _) in sources {
            XCTAssertEqual(source, instrument == "ES" ? "file" : "synthetic", instrument)
        }
        // ES baselines end where the file's bars end (2020-01-07 00:00Z, the reopen after the
        // 2020-01-06 session), not before today, and reach back over its gaps to the 2013 sessions.
        let esSessions = try database.text("""
            select string_agg(concat_ws(' ', b.timeframe, s.window_from, s.window_to, s.bars_tested, s.sessions_tested,
                                        s.deflated_sharpe), '; ')
              from backtest_sessions s join bots b on b.id = s.bot_id where b.instrument = 'ES'
            """) ?? ""
        XCTAssertEqual(try database.int("""
            select count(*) from backtest_sessions s join bots b on b.id = s.bot_id
             where b.instrument = 'ES' and s.window_to = '2020-01-07 00:00Z' and s.window_from < '2013-10-08'
               and s.bars_tested > 1000 and s.sessions_tested >= 14 and s.deflated_sharpe is not null
            """), esBots, esSessions)
        XCTAssertEqual(try database.int("""
            select count(*) from backtest_sessions s join bots b on b.id = s.bot_id
             where b.instrument <> 'ES' and s.window_to > now() - interval '10 days'
            """), bots - esBots)

        // Every fetch is a usage row under its job: file for the ES bots, synthetic for the rest.
        XCTAssertEqual(try database.int("""
            select count(*) from integration_usage_events u join bot_jobs j on j.id = u.job_id join bots b on b.id = j.bot_id
             where u.status = 'OK' and u.bars_returned > 0 and u.trace_id = j.trace_id
               and u.provider = case when b.instrument = 'ES' then 'file' else 'synthetic' end
            """), bots)
        XCTAssertEqual(try database.int("select count(*) from integration_usage_events"), bots)

        // At PAPER (set through apply_stage_moves, the one writer of stage changes), only
        // the file-backed bots pass the PAPER → SHADOW data_is_real rule.
        XCTAssertEqual(try database.int("""
            select apply_stage_moves(array_agg(id), array_agg('PAPER'::text), 'TEST_SETUP', 'test') from bots
            """), bots)
        let gate = try database.db.query("""
            select b.instrument, g.passed::text, g.failure_code
              from gate_evaluations g join bots b on b.id = g.bot_id
             where g.from_stage = 'PAPER' and g.to_stage = 'SHADOW' and g.metric = 'data_is_real'
            """).rows.map { ($0.text(at: 0) ?? "", $0.text(at: 1) ?? "", $0.text(at: 2) ?? "") }
        XCTAssertEqual(gate.count, bots)
        XCTAssertEqual(gate.filter { $0.1 == "true" }.count, esBots)
        for (instrument, passed, failure) in gate {
            XCTAssertEqual(passed, instrument == "ES" ? "true" : "false", instrument)
            if instrument != "ES" { XCTAssertEqual(failure, "SYNTHETIC_DATA", instrument) }
        }
    }
}
