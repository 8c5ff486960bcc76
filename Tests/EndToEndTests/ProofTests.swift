import Foundation
import Postgres
import XCTest

/// What the end-to-end tests that need the stack's data share: its database,
/// the starter pack, and a bounded wait for the running timer and worker.
enum Stack {
    static func db() throws -> Connection {
        guard let url = ProcessInfo.processInfo.environment["GAUNTLET_TEST_DATABASE_URL"] else {
            XCTFail("GAUNTLET_TEST_DATABASE_URL is not set; run through scripts/test")
            throw URLError(.badURL)
        }
        return try Connection(.init(conninfo: url))
    }

    /// The starter pack, seeded through the API (idempotent: it creates what is
    /// missing and queues baselines for bots without evidence), so a test that
    /// needs bots does not depend on running after FleetTests.
    static func ensureStarterPack(file: StaticString = #filePath, line: UInt = #line) throws {
        let reply = try HTTP.post("/api/bots/starter-pack", json: "{}")
        XCTAssertTrue([200, 201].contains(reply.status), String(decoding: reply.body, as: UTF8.self), file: file, line: line)
    }

    /// Calls `probe` every second until it answers true or `seconds` pass;
    /// returns whether it did.
    @discardableResult
    static func poll(seconds: Double, _ probe: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if try probe() { return true }
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 1)
        }
    }

    /// job_kinds: kind → proof_key (the one home of the /api/_proof/jobs keys).
    static func proofKeys(_ db: Connection) throws -> [String: String] {
        var keys: [String: String] = [:]
        for row in try db.query("select kind, proof_key from job_kinds").rows {
            keys[try row.decode("kind")] = try row.decode("proof_key", as: String.self)
        }
        return keys
    }
}

/// The proof endpoints answer in exactly the shapes PROOFS.md §4 gives, with
/// the data a running stack (seeded bots, timer, worker) guarantees.
final class ProofTests: XCTestCase {
    func keys(_ value: Any?) -> Set<String> { Set((value as? [String: Any])?.keys.map { $0 } ?? []) }
    func array(_ value: Any?) -> [[String: Any]] { value as? [[String: Any]] ?? [] }

    func testAutonomyProofShape() throws {
        try Stack.ensureStarterPack()
        let kinds = try Stack.proofKeys(try Stack.db())
        // On a fresh stack every bot is cooling down after its baseline, so the
        // timer's planner enqueues nothing for minutes. A new bot with no history
        // gives a planner tick work now (NO_BASELINE): the tick is run here, as a
        // DBA would, which also proves it does not wait for the timer's lock.
        let db = try Stack.db()
        try db.query("""
            insert into bots (name, archetype_slug, instrument, timeframe, params, params_hash, origin)
            select 'Proof probe ' || a.slug, a.slug, a.instrument, a.timeframe, b.params, b.params_hash, 'MANUAL'
              from bots b join archetypes a on a.slug = b.archetype_slug
             where b.origin = 'STARTER' order by b.created_at limit 1
            """)
        try db.query("select planner_tick()")
        var reply = try HTTP.get("/api/_proof/autonomy")
        Stack.poll(seconds: 120) {
            reply = (try? HTTP.get("/api/_proof/autonomy")) ?? reply
            return !array(reply.json["latestPlannerRuns"]).isEmpty && !array(reply.json["latestEnqueuedJobs"]).isEmpty
        }
        XCTAssertEqual(reply.status, 200, String(decoding: reply.body, as: UTF8.self))
        XCTAssertEqual(keys(reply.json), ["now", "loopEnabled", "lastTickAt", "tickIntervalSec", "lastDecisionSummary",
                                         "latestPlannerRuns", "latestEnqueuedJobs"])
        XCTAssertNotNil(reply.json["now"] as? String)
        XCTAssertNotNil(reply.json["loopEnabled"] as? Bool)
        XCTAssertNotNil(reply.json["tickIntervalSec"] as? NSNumber)
        let summary = try XCTUnwrap(reply.json["lastDecisionSummary"] as? [String: Any])
        XCTAssertEqual(Set(summary.keys), ["botsEvaluated", "jobsEnqueued", "blocked", "reasonsTop"])

        let runs = array(reply.json["latestPlannerRuns"])
        XCTAssertFalse(runs.isEmpty, "the timer's planner has run")
        XCTAssertLessThanOrEqual(runs.count, 10)
        for run in runs {
            XCTAssertEqual(Set(run.keys), ["id", "startedAt", "finishedAt", "botsEvaluated", "jobsEnqueued", "errors"])
        }
        // lastTickAt and lastDecisionSummary describe the latest run.
        XCTAssertEqual(reply.json["lastTickAt"] as? String, runs.first?["startedAt"] as? String)
        XCTAssertEqual(summary["botsEvaluated"] as? Int, runs.first?["botsEvaluated"] as? Int)
        XCTAssertEqual(summary["jobsEnqueued"] as? Int, runs.first?["jobsEnqueued"] as? Int)

        // With bots seeded every tick evaluates them, so the latest says why.
        let reasons = array(summary["reasonsTop"])
        XCTAssertFalse(reasons.isEmpty, "the latest tick gives its reasons")
        XCTAssertLessThanOrEqual(reasons.count, 5)
        for reason in reasons {
            XCTAssertEqual(Set(reason.keys), ["reasonCode", "count"])
            XCTAssertNotNil(reason["reasonCode"] as? String)
            XCTAssertNotNil(reason["count"] as? Int)
        }

        let jobs = array(reply.json["latestEnqueuedJobs"])
        XCTAssertFalse(jobs.isEmpty, "the planner has enqueued a job")
        for job in jobs {
            XCTAssertEqual(Set(job.keys), ["jobId", "botId", "type", "status", "createdAt"])
            XCTAssertNotNil(kinds[job["type"] as? String ?? ""], "\(job["type"] ?? "nil") is a job_kinds row")
        }
    }

    func testJobsProofShape() throws {
        try Stack.ensureStarterPack()
        let kinds = try Stack.proofKeys(try Stack.db())
        let proofKeys = Set(kinds.values)
        // Every kind is counted under its job_kinds.proof_key: the keys come from
        // the table (IMPROVE under "improve"), and PROOFS.md's three are among them.
        XCTAssertEqual(kinds["IMPROVE"], "improve")
        XCTAssertEqual(kinds["BACKTEST_BASELINE"], "backtest")
        XCTAssertEqual(kinds["BACKTEST_REFRESH"], "backtest")
        XCTAssertEqual(kinds["EVOLVE"], "evolve")
        XCTAssertEqual(kinds["RUNNER_START"], "runner")
        XCTAssertTrue(proofKeys.isSuperset(of: ["backtest", "evolve", "runner"]), "\(proofKeys.sorted())")

        // The seeded bots' baselines complete within the hour the proof counts.
        var reply = try HTTP.get("/api/_proof/jobs")
        Stack.poll(seconds: 90) {
            reply = (try? HTTP.get("/api/_proof/jobs")) ?? reply
            return ((reply.json["completedLast1h"] as? [String: Any])?["backtest"] as? Int ?? 0) > 0
        }
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(keys(reply.json), ["running", "queued", "completedLast1h", "stuckRunningOverXmin"])
        for group in ["running", "queued", "completedLast1h"] {
            let counts = try XCTUnwrap(reply.json[group] as? [String: Any], group)
            XCTAssertEqual(Set(counts.keys), proofKeys, "\(group) has one key per job_kinds.proof_key")
            for (key, value) in counts {
                XCTAssertGreaterThanOrEqual(value as? Int ?? -1, 0, "\(group).\(key) is a count")
            }
        }
        XCTAssertTrue(keys(reply.json["completedLast1h"]).isSuperset(of: ["backtest", "evolve"]))
        XCTAssertGreaterThan((reply.json["completedLast1h"] as? [String: Any])?["backtest"] as? Int ?? 0, 0,
                             "completed baselines are counted under backtest")

        let stuck = try XCTUnwrap(reply.json["stuckRunningOverXmin"] as? [[String: Any]])
        XCTAssertTrue(stuck.isEmpty, "a healthy stack has no job running past settings.proof_stuck_minutes: \(stuck)")
    }

    func testBotsCarryTheirBadge() throws {
        try Stack.ensureStarterPack()
        let bots = array(try HTTP.get("/api/bots").json["bots"])
        XCTAssertGreaterThanOrEqual(bots.count, 20, "the starter pack's bots are listed")
        for bot in bots {
            let now = try XCTUnwrap(bot["now"] as? [String: Any], "every bot has a badge state")
            XCTAssertTrue(["BACKTEST_RUNNING", "BACKTEST_QUEUED", "IMPROVING", "EVOLVING", "RUNNER_RUNNING",
                           "RUNNER_STALE", "BLOCKED_BY_GATES", "IDLE"].contains(now["state"] as? String ?? ""),
                          "\(now)")
        }
    }
}
