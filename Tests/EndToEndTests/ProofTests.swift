import Foundation
import XCTest

/// The proof endpoints answer in exactly the shapes PROOFS.md §4 gives.
final class ProofTests: XCTestCase {
    func keys(_ value: Any?) -> Set<String> { Set((value as? [String: Any])?.keys.map { $0 } ?? []) }

    func testAutonomyProofShape() throws {
        let reply = try HTTP.get("/api/_proof/autonomy")
        XCTAssertEqual(reply.status, 200, String(decoding: reply.body, as: UTF8.self))
        XCTAssertEqual(keys(reply.json), ["now", "loopEnabled", "lastTickAt", "tickIntervalSec", "lastDecisionSummary",
                                         "latestPlannerRuns", "latestEnqueuedJobs"])
        XCTAssertNotNil(reply.json["loopEnabled"] as? Bool)
        XCTAssertNotNil(reply.json["tickIntervalSec"] as? NSNumber)
        XCTAssertEqual(keys(reply.json["lastDecisionSummary"]), ["botsEvaluated", "jobsEnqueued", "blocked", "reasonsTop"])
        for run in reply.json["latestPlannerRuns"] as? [[String: Any]] ?? [] {
            XCTAssertEqual(Set(run.keys), ["id", "startedAt", "finishedAt", "botsEvaluated", "jobsEnqueued", "errors"])
        }
        for job in reply.json["latestEnqueuedJobs"] as? [[String: Any]] ?? [] {
            XCTAssertEqual(Set(job.keys), ["jobId", "botId", "type", "status", "createdAt"])
        }
    }

    func testJobsProofShape() throws {
        let reply = try HTTP.get("/api/_proof/jobs")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(keys(reply.json), ["running", "queued", "completedLast1h", "stuckRunningOverXmin"])
        XCTAssertEqual(keys(reply.json["running"]), ["backtest", "evolve", "runner"])
        XCTAssertEqual(keys(reply.json["queued"]), ["backtest", "evolve", "runner"])
        XCTAssertEqual(keys(reply.json["completedLast1h"]), ["backtest", "evolve"])
        XCTAssertNotNil(reply.json["stuckRunningOverXmin"] as? [Any])
    }

    func testBotsCarryTheirBadge() throws {
        for bot in (try HTTP.get("/api/bots").json["bots"] as? [[String: Any]] ?? []) {
            let now = try XCTUnwrap(bot["now"] as? [String: Any], "every bot has a badge state")
            XCTAssertTrue(["BACKTEST_RUNNING", "BACKTEST_QUEUED", "IMPROVING", "EVOLVING", "RUNNER_RUNNING",
                           "RUNNER_STALE", "BLOCKED_BY_GATES", "IDLE"].contains(now["state"] as? String ?? ""))
        }
    }
}
