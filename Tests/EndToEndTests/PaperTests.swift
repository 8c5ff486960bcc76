import Foundation
import TestSupport
import XCTest

/// The paper API through nginx, after a real `gauntlet runner` replayed two sessions of
/// the shared ES file for a starter bot on the stack's database: the runner's status,
/// the run and its report, the account with its limits in use, orders and positions;
/// bad input answers 400, unknown ids 404.
final class PaperTests: XCTestCase {
    func testTheRunnersLedgerThroughTheAPI() throws {
        try Stack.ensureStarterPack()
        let db = try Stack.db()
        let bot: String = try db.query("""
            select id::text as id from bots where archetype_slug = 'ib-breakout-es-5m' and status = 'ACTIVE' limit 1
            """).single().decode("id")
        let binary = try XCTUnwrap(ProcessInfo.processInfo.environment["GAUNTLET_TEST_BINARY"],
                                   "GAUNTLET_TEST_BINARY is not set; run through scripts/test")
        let file = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data/es-1m/ES_front_month_1m_utc.csv").path
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("paper-e2e-\(UUID().uuidString).log").path
        let pid = try Subprocess.spawn(binary, ["runner", "--bot", bot, "--source", "replay:\(file)@1000000",
                                                "--from", "2013-10-07", "--to", "2013-10-09"], logPath: log)
        XCTAssertEqual(Subprocess.waitForExit(pid, timeout: 120), 0, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")

        let status = try HTTP.get("/api/runner/status")
        XCTAssertEqual(status.status, 200)
        XCTAssertNotNil(status.json["killSwitch"] as? [String: Any])
        let finished = try XCTUnwrap(status.json["lastFinished"] as? [String: Any])
        XCTAssertEqual(finished["status"] as? String, "COMPLETED")

        let runs = try XCTUnwrap(try HTTP.get("/api/paper/runs?botId=\(bot)&limit=5").json["runs"] as? [[String: Any]])
        let run = try XCTUnwrap(runs.first)
        let runId = try XCTUnwrap(run["id"] as? String)
        let detail = try HTTP.get("/api/paper/runs/\(runId)")
        XCTAssertEqual(detail.status, 200)
        let report = try XCTUnwrap(detail.json["report"] as? [String: Any])
        XCTAssertEqual(report["exit_reason"] as? String, "STREAM_END")
        XCTAssertGreaterThan(report["bars"] as? Int ?? 0, 100)

        let accountId = try XCTUnwrap(run["accountId"] as? String)
        let account = try HTTP.get("/api/paper/accounts/\(accountId)")
        XCTAssertEqual(account.status, 200)
        XCTAssertEqual(account.json["botId"] as? String, bot)
        let use = try XCTUnwrap((account.json["limits"] as? [String: Any])?["use"] as? [String: Any])
        XCTAssertTrue((use["dailyLoss"] as? String ?? "").hasPrefix("daily loss $"), "\(use)")
        XCTAssertFalse((account.json["equity"] as? [Any] ?? []).isEmpty, "equity samples")
        let figures = try XCTUnwrap(account.json["figures"] as? [String: Any])
        XCTAssertNotNil(figures["equity"] as? NSNumber)

        let orders = try XCTUnwrap(try HTTP.get("/api/orders?accountId=\(accountId)").json["orders"] as? [[String: Any]])
        XCTAssertFalse(orders.isEmpty, "the runner's orders")
        XCTAssertTrue(orders.allSatisfy { ["FILLED", "REJECTED", "CANCELLED"].contains($0["status"] as? String ?? "") },
                      "no order left working after a graceful stop")
        XCTAssertEqual(try XCTUnwrap(try HTTP.get("/api/positions?accountId=\(accountId)").json["positions"] as? [Any]).count, 0,
                       "flat after the stop")

        XCTAssertEqual(try HTTP.get("/api/orders?status=LOST").status, 400)
        XCTAssertEqual(try HTTP.get("/api/positions?accountId=nope").status, 400)
        XCTAssertEqual(try HTTP.get("/api/paper/runs/00000000-0000-0000-0000-000000000000").status, 404)
        XCTAssertEqual(try HTTP.get("/api/paper/accounts/00000000-0000-0000-0000-000000000000").status, 404)
    }
}
