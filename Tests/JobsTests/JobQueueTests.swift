import Foundation
import Jobs
import Postgres
import XCTest
import Backtest

/// The Swift side of the queue contract (docs/jobs.md), called in-process.
final class JobQueueTests: XCTestCase {
    var database: ScratchDatabase!

    override func setUpWithError() throws { database = try ScratchDatabase() }
    override func tearDown() { database?.drop() }

    func testBatchClaimCompleteReleaseAndLateResults() throws {
        for _ in 0..<3 { try database.enqueue(nil, "NOOP") }
        let queue = JobQueue(database.db)
        let jobs = try queue.claim(worker: "w1", kinds: ["NOOP"], limit: 10)
        XCTAssertEqual(jobs.count, 3)
        XCTAssertEqual(Set(jobs.map(\.attempt)), [1])
        XCTAssertTrue(try queue.claim(worker: "w2", kinds: ["NOOP"], limit: 10).isEmpty, "claimed twice")
        XCTAssertEqual(try queue.heartbeat(worker: "w1", jobs: jobs.map(\.id)), 3)
        XCTAssertEqual(try queue.heartbeat(worker: "w2", jobs: jobs.map(\.id)), 0)

        guard case .recorded = try queue.complete(jobs[0], worker: "w1", result: JSONText("{}")) else {
            return XCTFail("completion refused")
        }
        guard case .leaseLost = try queue.complete(jobs[0], worker: "w1", result: JSONText("{}")) else {
            return XCTFail("a second completion was accepted")
        }
        XCTAssertEqual(try queue.release(worker: "w1", jobs: [jobs[1].id]), 1)
        guard case .leaseLost = try queue.complete(jobs[1], worker: "w1", result: JSONText("{}")) else {
            return XCTFail("a released job accepted a late result")
        }
        let failure = JobFailure(code: "BROKEN", message: "on purpose", suggestedFix: nil, retryable: false)
        guard case .recorded(let status) = try queue.fail(jobs[2], worker: "w1", failure: failure) else {
            return XCTFail("failure refused")
        }
        XCTAssertEqual(status, "FAILED")
        XCTAssertEqual(try database.int("select count(*) from bot_jobs where status = 'COMPLETED'"), 1)
        XCTAssertEqual(try database.int("select count(*) from bot_jobs where status = 'QUEUED' and attempt = 0"), 1)
    }

    /// Everything an executor needs arrives in the claim row, so no executor reads bots or settings.
    func testClaimedRowCarriesTheBotAndItsSettings() throws {
        let bot = try XCTUnwrap(database.seedBots(1).first)
        let job = try database.enqueue(bot, "BACKTEST_BASELINE", payload: #"{"from":"2026-10-05","to":"2026-11-02"}"#)
        let queue = JobQueue(database.db)
        let claimed = try XCTUnwrap(queue.claim(worker: "w1", kinds: ["BACKTEST_BASELINE"], limit: 5).first)
        XCTAssertEqual(claimed.id, job)
        XCTAssertEqual(claimed.botID, bot)
        XCTAssertNotNil(claimed.archetypeSlug)
        XCTAssertNotNil(claimed.params)
        XCTAssertEqual(claimed.iteration, 0)
        XCTAssertTrue(claimed.payload.contains("2026-10-05"))
        XCTAssertEqual(claimed.generation, 1)
        XCTAssertEqual(claimed.leaseSeconds, 60)
        XCTAssertEqual(claimed.baselineTradingDays, 120)
        XCTAssertEqual(claimed.walkForward, WalkForwardSpec(folds: 4, mode: .anchored, trials: 1, resamples: 2000, blockLength: 5))
        XCTAssertEqual(claimed.startingEquity, 50_000)
        XCTAssertNil(claimed.trials, "trials is for IMPROVE only")

        // A changed setting reaches the next claim: the engine starts from it.
        try database.db.query("select set_setting('simulated_equity', '125000'), set_setting('baseline_trading_days', '7')")
        try database.enqueue(bot, "BACKTEST_REFRESH")
        let next = try XCTUnwrap(queue.claim(worker: "w1", kinds: ["BACKTEST_REFRESH"], limit: 1).first)
        XCTAssertEqual(next.startingEquity, 125_000)
        XCTAssertEqual(next.baselineTradingDays, 7)
    }
}

/// advisory_locks lists every key; the migrator's, which Swift must hold as a
/// constant (it locks before the table exists), is checked against its row.
final class AdvisoryLockTests: XCTestCase {
    func testMigratorKeyIsTheDocumentedOne() throws {
        let database = try ScratchDatabase()
        defer { database.drop() }
        XCTAssertEqual(Int64(try database.int("select lock_key('migrate')")), Migrator.lockKey)
    }
}
