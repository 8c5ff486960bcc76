import Foundation
import Postgres
import XCTest

/// A client's mistake gets a 4xx in the error envelope and writes nothing.
final class BadInputTests: XCTestCase {
    func counts() throws -> [Int] {
        guard let url = ProcessInfo.processInfo.environment["GAUNTLET_TEST_DATABASE_URL"] else {
            XCTFail("GAUNTLET_TEST_DATABASE_URL is not set; run through scripts/test")
            return []
        }
        let db = try Connection(.init(conninfo: url))
        // Only what a request could write: the running worker and timer add
        // sessions, jobs and events of their own while this test runs.
        let row = try db.query("""
            select (select count(*) from bots) as bots,
                   (select count(*) from job_run_events
                    where reason_code in ('API_REQUEST', 'API_RERUN', 'FORCED_BY_API')) as jobs,
                   (select count(*) from activity_events where event_type = 'STARTER_PACK_CREATED') as events,
                   (select count(*) from integration_usage_events where endpoint = 'verify') as verifications
            """).single()
        return try ["bots", "jobs", "events", "verifications"].map { try row.decode($0, as: Int.self) }
    }

    func expect(_ reply: HTTP.Reply, _ status: Int, _ code: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(reply.status, status, String(decoding: reply.body, as: UTF8.self), file: file, line: line)
        XCTAssertEqual(reply.error["code"] as? String, code, file: file, line: line)
        XCTAssertNotNil(reply.error["trace_id"], file: file, line: line)
    }

    func testBadRequestsChangeNothing() throws {
        let before = try counts()
        let unknownBot = "7d3c1f1e-5b1a-4c55-9a62-0f3c2b1a9d8e"
        expect(try HTTP.post("/api/backtests", json: "{\"botId\":\"\(unknownBot)\"}"), 404, "BOT_NOT_FOUND")
        expect(try HTTP.post("/api/backtests", json: "{\"botId\":\"not-a-uuid\"}"), 400, "INVALID_PARAMETER")
        expect(try HTTP.post("/api/backtests", json: "{\"botId\":"), 400, "INVALID_JSON")
        expect(try HTTP.post("/api/backtests", json: "{}"), 400, "INVALID_PARAMETER")
        expect(try HTTP.post("/api/backtests/\(unknownBot)/run", json: "{}"), 404, "BACKTEST_NOT_FOUND")
        expect(try HTTP.get("/api/bots/not-a-uuid"), 400, "INVALID_PARAMETER")
        expect(try HTTP.get("/api/bots/\(unknownBot)"), 404, "BOT_NOT_FOUND")
        expect(try HTTP.get("/api/backtests?status=WHATEVER"), 400, "INVALID_PARAMETER")
        expect(try HTTP.get("/api/feed?limit=100000"), 400, "INVALID_PARAMETER")
        expect(try HTTP.post("/api/integrations/verify", json: "{\"provider\":\"bloomberg\"}"), 400, "UNKNOWN_PROVIDER")
        expect(try HTTP.post("/api/integrations/verify", json: "{\"provider\":42}"), 400, "INVALID_PARAMETER")
        expect(try HTTP.post("/api/bots/starter-pack", json: "{\"autoKickoff\":false}"), 400, "INVALID_PARAMETER")
        expect(try HTTP.post("/api/bots/starter-pack", json: "{\"autoKickoffBacktests\":\"no\"}"), 400, "INVALID_PARAMETER")
        expect(try HTTP.post("/api/kickoff", json: "[1,2]"), 400, "INVALID_JSON")
        // Duplicate keys: which one would win is the parser's accident, so neither does.
        expect(try HTTP.post("/api/backtests", json: "{\"botId\":\"\(unknownBot)\",\"botId\":\"not-a-uuid\"}"), 400,
               "INVALID_JSON")
        expect(try HTTP.post("/api/bots/starter-pack", json: #"{"autoKickoffBacktests":false,"autoKickoff\u0042acktests":true}"#),
               400, "INVALID_JSON")
        // PostgreSQL's infinities are no page boundary (SQLSTATE 22008 before).
        expect(try HTTP.get("/api/backtests?before=-infinity"), 400, "INVALID_PARAMETER")
        expect(try HTTP.get("/api/backtests?before=infinity"), 400, "INVALID_PARAMETER")
        // Found by schemathesis: numbers past the SQL functions' `int` parameters were a
        // 500 DATABASE_ERROR (SQLSTATE 22003) instead of a bad field.
        expect(try HTTP.get("/api/research/runs/\(unknownBot)?offset=9223372036854775806"), 400, "INVALID_PARAMETER")
        expect(try HTTP.post("/api/backtests/run", json: #"{"maxCells": -1675486130790}"#), 400, "INVALID_PARAMETER")
        // …and a NUL in a text value was a 500 (SQLSTATE 22P05, untranslatable character).
        expect(try HTTP.post("/api/backtests/run", json: #"{"instruments": ["E\u0000S"]}"#), 400, "INVALID_PARAMETER")
        // A NUL in a query value reached SQL cut short (libpq's C strings): ?archetype=a%00b looked up "a".
        expect(try HTTP.get("/api/research/runs/\(unknownBot)?archetype=a%00b"), 400, "INVALID_PARAMETER")
        expect(try HTTP.get("/api/feed?type=AUTONOMY%00"), 400, "INVALID_PARAMETER")
        XCTAssertEqual(try counts(), before, "bad requests wrote rows")
    }
}
