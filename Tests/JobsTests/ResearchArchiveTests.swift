import Backtest
import Foundation
import TestSupport
import XCTest

/// The research files the timer's leader exports into `$GAUNTLET_VAR/research/`,
/// driven by real worker processes: latest.partial.json while a run is queued or
/// running; a forced cell failure that the run survives; latest.json and the ISO-week
/// archive when it completes; then a forced planner failure: latest.error.json, while
/// latest.json and GET /api/backtests/latest (with lastError) still serve the good run.
final class ResearchArchiveTests: WorkerTestCase {
    private var timer: pid_t?

    override func tearDown() {
        if let timer, Subprocess.waitForExit(timer, timeout: 0) == nil {
            kill(timer, SIGKILL)
            _ = Subprocess.waitForExit(timer, timeout: 10)
        }
        if (testRun?.failureCount ?? 0) > 0 { print("---- timer log\n" + read("timer.log")) }
        super.tearDown()
    }

    func testTheFilesFollowTheRunsThroughACellFailureAndAPlannerFailure() throws {
        _ = try database.seedBots(2)
        let slug = Archetypes.all[1].slug
        // Nothing but research: the planner's backtests would only slow the test down.
        try database.db.query("update schedules set enabled = false where name <> 'lease_rescuer'")
        try startTimer()

        // Run 1, queued: the partial file appears before any worker exists.
        let good: UUID = try database.db.query("""
            select start_research_run('MANUAL', array[$1], null, '2025-03-03', '2025-05-01', '{"max_cells": 9}') as id
            """, [slug]).single().decode("id")
        let queued = try waitForFile("latest.partial.json") { ($0["runId"] as? String) == good.uuidString.lowercased() }
        XCTAssertEqual(queued["partial"] as? Bool, true)
        XCTAssertNil(file("latest.json"), "no run has completed yet")

        // Plan it with a GRID-only worker, then break one cell's params: a forced cell failure.
        let planner = try startWorker("planner", slots: 1, types: "GRID")
        XCTAssertTrue(try database.waitUntil(timeout: 60) {
            try database.int("select count(*)::int from bot_jobs where job_type = 'RESEARCH_CELL'") == 9
        }, "GRID did not plan 9 cells")
        XCTAssertEqual(planner.terminate(), 0)
        try database.db.query("""
            update bot_jobs set payload = payload || '{"params": {"no_such_param": 1}}'
             where job_type = 'RESEARCH_CELL' and (payload ->> 'cell')::int = 4
            """)
        let cells = try startWorker("cells", slots: 2, types: "RESEARCH_CELL")
        XCTAssertTrue(try database.waitUntil(timeout: 180) {
            try database.text("select state from research_runs where id = $1", [good]) == "COMPLETED"
        }, "the run did not complete around its failed cell")
        XCTAssertEqual(cells.terminate(), 0)
        XCTAssertEqual(try database.text("""
            select status || ' ' || error_code from research_rows where run_id = $1 and cell = 4
            """, [good]), "FAILED PARAMS_UNKNOWN_KEY")
        XCTAssertEqual(try database.int("select count(*)::int from research_rows where run_id = $1 and status = 'COMPLETED'", [good]), 8)

        let latest = try waitForFile("latest.json") { ($0["runId"] as? String) == good.uuidString.lowercased() }
        XCTAssertNotNil((latest["instruments"] as? [String: Any])?["ES"], "the completed run's ES tile")
        XCTAssertEqual(latest["failedCells"] as? Int, 1, "the failed cell is reported")
        let week = try XCTUnwrap(try database.text("select iso_week from research_runs where id = $1", [good]))
        XCTAssertEqual(try XCTUnwrap(file("\(week).json"))["runId"] as? String, good.uuidString.lowercased(),
                       "the run is archived under its ISO week")
        XCTAssertTrue(try database.waitUntil(timeout: 10) { self.file("latest.partial.json") == nil },
                      "the partial file goes when the run completes")

        // Run 2 fails in its planner: a GRID whose pair names no engine archetype.
        let doomed: UUID = try database.db.query("""
            select start_research_run('MANUAL', array[$1], null, '2025-03-03', '2025-05-01', '{"max_cells": 9}') as id
            """, [slug]).single().decode("id")
        try database.db.query("""
            update bot_jobs set payload = jsonb_set(payload, '{pairs,0,archetype}', '"no-such-archetype"')
             where job_type = 'GRID' and payload ->> 'run_id' = $1
            """, [doomed.uuidString.lowercased()])
        let planner2 = try startWorker("planner2", slots: 1, types: "GRID")
        let error = try waitForFile("latest.error.json") { ($0["runId"] as? String) == doomed.uuidString.lowercased() }
        XCTAssertEqual(planner2.terminate(), 0)
        XCTAssertEqual(error["state"] as? String, "error")
        XCTAssertTrue((error["message"] as? String ?? "").hasPrefix("UNKNOWN_ARCHETYPE"), "\(error)")
        XCTAssertEqual(try XCTUnwrap(file("latest.json"))["runId"] as? String, good.uuidString.lowercased(),
                       "latest.json still holds the last good run")
        XCTAssertTrue(try database.waitUntil(timeout: 10) { self.file("latest.partial.json") == nil })
        let served = try XCTUnwrap(try database.text("select api_research_latest(false)::text"))
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(served.utf8)) as? [String: Any])
        XCTAssertEqual(doc["runId"] as? String, good.uuidString.lowercased(), "latest serves the previous run")
        XCTAssertEqual((doc["lastError"] as? [String: Any])?["runId"] as? String, doomed.uuidString.lowercased())

        // No temporary file is left behind, and an idle timer rewrites nothing.
        let names = try FileManager.default.contentsOfDirectory(atPath: researchDirectory).sorted()
        XCTAssertEqual(names, ["\(week).json", "latest.error.json", "latest.json"].sorted())
        let modified = try FileManager.default.attributesOfItem(atPath: "\(researchDirectory)/latest.json")[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: "\(researchDirectory)/latest.json")[.modificationDate] as? Date,
                       modified)
    }

    private var researchDirectory: String { directory.appendingPathComponent("research").path }

    private func startTimer() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["GAUNTLET_DATABASE_URL"] = database.conninfo
        environment["GAUNTLET_VAR"] = directory.path
        timer = try Subprocess.spawn(WorkerProcess.binary, [
            "timer", "--interval", "0.2", "--pidfile", directory.appendingPathComponent("timer.pid").path,
        ], environment: environment, logPath: directory.appendingPathComponent("timer.log").path)
    }

    private func file(_ name: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: "\(researchDirectory)/\(name)") else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    private func waitForFile(_ name: String, timeout: Double = 30,
                             _ matches: ([String: Any]) -> Bool) throws -> [String: Any] {
        var found: [String: Any]?
        _ = try database.waitUntil(timeout: timeout) {
            found = self.file(name)
            return found.map(matches) ?? false
        }
        return try XCTUnwrap(found.flatMap { matches($0) ? $0 : nil }, "\(name): \(found.map { "\($0)" } ?? "missing")")
    }

    private func read(_ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }
}
