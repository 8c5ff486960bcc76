import Foundation
import Postgres
import XCTest

/// Admin actions need the token; without it nothing changes.
final class AdminTests: XCTestCase {
    var token: String {
        get throws {
            try XCTUnwrap(ProcessInfo.processInfo.environment["GAUNTLET_ADMIN_TOKEN"],
                          "GAUNTLET_ADMIN_TOKEN is not set; run through scripts/test")
        }
    }

    func post(_ path: String, _ json: String, token: String?) throws -> HTTP.Reply {
        var headers = ["Content-Type": "application/json"]
        if let token { headers["X-Admin-Token"] = token }
        return try HTTP.request("POST", path, body: Data(json.utf8), headers: headers)
    }

    /// What a reset, a revert or a loop switch would change. The running
    /// supervisor also writes gate streaks and stages, so callers hold its lock
    /// (`withSupervisorHeld`) between two snapshots.
    struct Snapshot: Equatable {
        var globalResetAt: String
        var loopEnabled: String
        /// bot id → "stage metrics_reset_at" (bots only ever get added, so
        /// compare the bots of the first snapshot).
        var bots: [String: String]
        var gateStreaks: [String]
        var metricsResetEvents: Int
        var stagesRevertedEvents: Int

        func restricted(to other: Snapshot) -> Snapshot {
            var copy = self
            copy.bots = bots.filter { other.bots[$0.key] != nil }
            return copy
        }
    }

    func snapshot(_ db: Connection) throws -> Snapshot {
        let row = try db.query("""
            select (select value::text from settings where key = 'metrics_reset_at') as global_reset_at,
                   (select value::text from settings where key = 'loop_enabled') as loop_enabled,
                   (select count(*) from activity_events where event_type = 'METRICS_RESET') as resets,
                   (select count(*) from activity_events where event_type = 'STAGES_REVERTED') as reverts
            """).single()
        var bots: [String: String] = [:]
        for bot in try db.query("select id::text as id, stage || ' ' || coalesce(metrics_reset_at::text, 'null') as state from bots").rows {
            bots[try bot.decode("id")] = try bot.decode("state", as: String.self)
        }
        let streaks = try db.query("select g::text as row from bot_gate_streaks g order by g.bot_id").rows
            .map { try $0.decode("row", as: String.self) }
        return Snapshot(globalResetAt: try row.decode("global_reset_at"), loopEnabled: try row.decode("loop_enabled"),
                        bots: bots, gateStreaks: streaks, metricsResetEvents: try row.decode("resets"),
                        stagesRevertedEvents: try row.decode("reverts"))
    }

    /// Runs `body` while holding the supervisor's lock, so the timer's
    /// supervisor cannot move stages or gate streaks under the test (the planner
    /// and the worker keep running).
    func withSupervisorHeld<T>(_ db: Connection, _ body: () throws -> T) throws -> T {
        try db.transaction {
            try db.query("select pg_advisory_xact_lock(lock_key('supervisor_tick'))")
            return try body()
        }
    }

    /// The figures reset_metrics reports, counted the way it counts them: bots
    /// in scope, and their completed sessions since their effective reset.
    func figures(_ db: Connection, bot: String? = nil) throws -> (bots: Int, sessions: Int) {
        let row = try db.query("""
            select count(*) as bots,
                   coalesce(sum((select count(*) from backtest_sessions s
                                  where s.bot_id = b.id and s.status = 'COMPLETED' and s.completed_at < now()
                                    and s.completed_at >= coalesce(greatest((setting('metrics_reset_at') #>> '{}')::timestamptz,
                                                                            b.metrics_reset_at), '-infinity'))), 0) as sessions
              from bots b
             where $1::uuid is null or b.id = $1::uuid
            """, [bot]).single()
        return (try row.decode("bots"), try row.decode("sessions"))
    }

    func testAdminEndpointsRejectMissingAndWrongTokens() throws {
        let db = try Stack.db()
        let body = #"{"dryRun": false, "scope": "ALL", "reasonCode": "INSTITUTIONAL_RESET_REQUIRED"}"#
        try withSupervisorHeld(db) {
            let before = try snapshot(db)
            for path in ["/api/admin/reset-metrics", "/api/admin/revert-stages", "/api/admin/loop", "/api/admin/kill-switch"] {
                let missing = try post(path, body, token: nil)
                XCTAssertEqual(missing.status, 401, path)
                XCTAssertEqual(missing.error["code"] as? String, "ADMIN_TOKEN_REQUIRED")
                let wrong = try post(path, body, token: try token + "x")
                XCTAssertEqual(wrong.status, 403, path)
                XCTAssertEqual(wrong.error["code"] as? String, "ADMIN_TOKEN_INVALID")
                XCTAssertFalse(String(decoding: wrong.body, as: UTF8.self).contains(try token), "the token is never echoed")
            }
            // No reset (global or per bot), no revert (stages, evidence resets,
            // events), no loop switch.
            XCTAssertEqual(try snapshot(db).restricted(to: before), before, "a refused admin request changed data")
        }
    }

    func testDryRunResetChangesNothingAndReportsScope() throws {
        let db = try Stack.db()
        // Bots with completed sessions, so the dry run has something to report.
        try Stack.ensureStarterPack()
        XCTAssertTrue(try Stack.poll(seconds: 90) { try figures(db).sessions > 0 }, "no completed session within 90 s")

        try withSupervisorHeld(db) {
            let before = try snapshot(db)
            let previousReset = try db.query("select setting('metrics_reset_at') #>> '{}' as at").single()
                .decodeIfPresent("at", as: String.self)

            // scope ALL: every bot and every session a real reset would exclude.
            let low = try figures(db)
            let reply = try post("/api/admin/reset-metrics",
                                 #"{"dryRun": true, "scope": "ALL", "reasonCode": "INSTITUTIONAL_RESET_REQUIRED"}"#,
                                 token: try token)
            let high = try figures(db)
            XCTAssertEqual(reply.status, 200, String(decoding: reply.body, as: UTF8.self))
            XCTAssertEqual(reply.json["dryRun"] as? Bool, true)
            XCTAssertEqual(reply.json["scope"] as? String, "ALL")
            XCTAssertEqual(reply.json["reasonCode"] as? String, "INSTITUTIONAL_RESET_REQUIRED")
            XCTAssertNil(reply.json["botIds"], "botIds only for a list scope")
            XCTAssertNotNil(reply.json["resetAt"] as? String)
            // Bots and sessions only get added while the worker runs: the reported
            // figures lie between the counts just before and just after.
            let bots = try XCTUnwrap(reply.json["bots"] as? Int)
            XCTAssertGreaterThanOrEqual(bots, max(low.bots, 20))
            XCTAssertLessThanOrEqual(bots, high.bots)
            let excluded = try XCTUnwrap(reply.json["sessionsExcluded"] as? Int)
            XCTAssertGreaterThan(excluded, 0)
            XCTAssertGreaterThanOrEqual(excluded, low.sessions)
            XCTAssertLessThanOrEqual(excluded, high.sessions)
            let needing = try XCTUnwrap(reply.json["activeBotsNeedingBaseline"] as? Int)
            XCTAssertGreaterThan(needing, 0)
            XCTAssertLessThanOrEqual(needing, bots)
            if let previousReset {
                let reported = try XCTUnwrap(reply.json["previousResetAt"] as? String)
                XCTAssertEqual(try db.query("select $1::timestamptz = $2::timestamptz as same", [reported, previousReset])
                    .single().decode("same", as: Bool.self), true, "previousResetAt is settings.metrics_reset_at")
            } else {
                XCTAssertTrue(reply.json["previousResetAt"] is NSNull, "no reset yet: previousResetAt is null")
            }

            // scope [id]: that bot only.
            let bot = try XCTUnwrap(before.bots.keys.sorted().first)
            let oneLow = try figures(db, bot: bot)
            let one = try post("/api/admin/reset-metrics",
                               "{\"dryRun\": true, \"scope\": [\"\(bot)\"], \"reasonCode\": \"INSTITUTIONAL_RESET_REQUIRED\"}",
                               token: try token)
            let oneHigh = try figures(db, bot: bot)
            XCTAssertEqual(one.status, 200, String(decoding: one.body, as: UTF8.self))
            XCTAssertEqual(one.json["dryRun"] as? Bool, true)
            XCTAssertEqual(one.json["scope"] as? [String], [bot])
            XCTAssertEqual(one.json["botIds"] as? [String], [bot])
            XCTAssertEqual(one.json["bots"] as? Int, 1)
            let oneExcluded = try XCTUnwrap(one.json["sessionsExcluded"] as? Int)
            XCTAssertGreaterThanOrEqual(oneExcluded, oneLow.sessions)
            XCTAssertLessThanOrEqual(oneExcluded, oneHigh.sessions)

            let bad = try post("/api/admin/reset-metrics", #"{"dryRun": true, "scope": "SOME", "reasonCode": "X"}"#, token: try token)
            XCTAssertEqual(bad.status, 400)
            let badReason = try post("/api/admin/reset-metrics", #"{"dryRun": true, "scope": "ALL", "reasonCode": "because I said so"}"#,
                                     token: try token)
            XCTAssertEqual(badReason.status, 400)

            // Nothing changed: settings.metrics_reset_at, bots.metrics_reset_at,
            // gate streaks, METRICS_RESET events.
            let after = try snapshot(db)
            XCTAssertEqual(after.globalResetAt, before.globalResetAt, "settings.metrics_reset_at")
            XCTAssertEqual(after.restricted(to: before).bots, before.bots, "bots.metrics_reset_at (and stages)")
            XCTAssertEqual(after.gateStreaks, before.gateStreaks, "bot_gate_streaks")
            XCTAssertEqual(after.metricsResetEvents, before.metricsResetEvents, "METRICS_RESET events")
            XCTAssertEqual(after.restricted(to: before), before)
        }
    }

    /// The kill switch through the API: the token, bad input refused, engaging
    /// shown in /api/system/status (every page's header reads it), a repeat changes
    /// nothing, and releasing it clears it.
    func testTheKillSwitchEngagesAndReleasesThroughTheAdminAPI() throws {
        defer { _ = try? post("/api/admin/kill-switch", #"{"engaged": false}"#, token: try token) }
        XCTAssertEqual(try post("/api/admin/kill-switch", #"{"engaged": true}"#, token: nil).status, 401)
        for body in [#"{"engaged": "yes"}"#, #"{}"#, #"{"engaged": true, "source": "api"}"#] {
            let bad = try post("/api/admin/kill-switch", body, token: try token)
            XCTAssertEqual(bad.status, 400, body)
        }
        XCTAssertEqual(try killSwitch()["engaged"] as? Bool, false, "bad input changed nothing")

        let engaged = try post("/api/admin/kill-switch", #"{"engaged": true, "reason": "end-to-end test"}"#, token: try token)
        XCTAssertEqual(engaged.status, 200, String(decoding: engaged.body, as: UTF8.self))
        XCTAssertEqual(engaged.json["engaged"] as? Bool, true)
        XCTAssertEqual(engaged.json["changed"] as? Bool, true)
        XCTAssertEqual(engaged.json["source"] as? String, "api")
        XCTAssertEqual(try killSwitch()["reason"] as? String, "end-to-end test")
        XCTAssertEqual(try post("/api/admin/kill-switch", #"{"engaged": true}"#, token: try token).json["changed"] as? Bool, false)

        let released = try post("/api/admin/kill-switch", #"{"engaged": false}"#, token: try token)
        XCTAssertEqual(released.json["engaged"] as? Bool, false)
        XCTAssertEqual(try killSwitch()["engaged"] as? Bool, false)
    }

    private func killSwitch() throws -> [String: Any] {
        try XCTUnwrap((try HTTP.get("/api/system/status").json["counts"] as? [String: Any])?["killSwitch"] as? [String: Any])
    }
}
