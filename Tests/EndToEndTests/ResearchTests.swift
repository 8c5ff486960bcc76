import Foundation
import XCTest

/// Parameter-grid research through nginx, the host, the queue and the stack's real
/// worker: POST /api/backtests/run → GET /api/backtests/status until completed →
/// GET /api/backtests/latest; a second start while running is 409, bad input 400.
final class ResearchTests: XCTestCase {
    func testARunFansOutThroughTheQueueAndServesTheBestQualifiedRow() throws {
        XCTAssertEqual(try HTTP.post("/api/bots/starter-pack", json: "{}").status / 100, 2)

        for (body, parameter) in [(#"{"from": "yesterday"}"#, "from"), (#"{"archetypes": []}"#, "archetypes"),
                                  (#"{"speed": 1}"#, "speed")] {
            let bad = try HTTP.post("/api/backtests/run", json: body)
            XCTAssertEqual(bad.status, 400, body)
            XCTAssertEqual((bad.error["details"] as? [String: Any])?["parameter"] as? String, parameter, body)
        }
        let unknown = try HTTP.post("/api/backtests/run", json: #"{"archetypes": ["no-such-archetype"]}"#)
        XCTAssertEqual(unknown.status, 400)
        XCTAssertEqual(unknown.error["code"] as? String, "UNKNOWN_ARCHETYPE")

        let started = try HTTP.post("/api/backtests/run", json: """
            {"archetypes": ["orb-30-es-1m"], "instruments": ["ES"], "from": "2025-03-03", "to": "2025-05-01", "maxCells": 9}
            """)
        XCTAssertEqual(started.status, 202, String(decoding: started.body, as: UTF8.self))
        XCTAssertEqual(started.json["state"] as? String, "running")
        XCTAssertEqual(started.json["instruments"] as? [String], ["ES"])
        let runId = try XCTUnwrap(started.json["runId"] as? String)

        let again = try HTTP.post("/api/backtests/run", json: "{}")
        if again.status == 409 {
            XCTAssertEqual(again.json["runId"] as? String, runId, "409 answers with the run in progress")
            // Beside it, the API's one error envelope (it once had its own shape: no trace_id, no details).
            XCTAssertEqual(again.error["code"] as? String, "RUN_IN_PROGRESS")
            XCTAssertNotNil(again.error["trace_id"] as? String)
            XCTAssertEqual((again.error["details"] as? [String: Any])?["runId"] as? String, runId)
            XCTAssertNotNil((again.error["details"] as? [String: Any])?["suggested_fix"] as? String)
        } else {
            XCTAssertEqual(again.status, 202, "only possible if the first run already finished")
        }

        var states: [String] = []
        let deadline = Date().addingTimeInterval(120)
        var status: [String: Any] = [:]
        while Date() < deadline {
            status = try HTTP.get("/api/backtests/status").json
            if let state = status["state"] as? String, states.last != state { states.append(state) }
            if status["runId"] as? String == runId, status["state"] as? String != "running" { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        XCTAssertEqual(status["state"] as? String, "completed", "status transitions: \(states), last \(status)")
        let progress = try XCTUnwrap(status["progress"] as? [String: Any])
        XCTAssertEqual(progress["done"] as? Int, progress["total"] as? Int)
        XCTAssertEqual(progress["total"] as? Int, 9, "maxCells 9: a 3 × 3 band around the defaults")

        let latest = try HTTP.get("/api/backtests/latest")
        XCTAssertEqual(latest.status, 200)
        XCTAssertEqual(latest.json["runId"] as? String, runId)
        let es = try XCTUnwrap((latest.json["instruments"] as? [String: Any])?["ES"] as? [String: Any])
        XCTAssertEqual(es["archetype"] as? String, "orb-30-es-1m")
        XCTAssertNotNil(es["params"] as? [String: Any])
        let metrics = try XCTUnwrap(es["metrics"] as? [String: Any])
        for key in ["trades", "sharpe", "pnl", "win_rate", "max_dd", "profit_factor"] {
            let value = try XCTUnwrap(metrics[key] as? NSNumber, key)
            XCTAssertTrue(value.doubleValue.isFinite, key)
        }
        XCTAssertNotNil(es["qualified"] as? Bool)
        XCTAssertNotNil(es["score"] as? NSNumber)
        XCTAssertTrue((es["penalty_tags"] as? [String] ?? []).contains("synthetic_data"),
                      "synthetic rows say so: \(es["penalty_tags"] ?? "none")")

        // The dashboard's reads: the runs, and one run's rows best first.
        let runs = try XCTUnwrap(try HTTP.get("/api/research/runs").json["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.first?["id"] as? String, runId)
        let detail = try HTTP.get("/api/research/runs/\(runId)?sort=score&limit=5")
        XCTAssertEqual(detail.status, 200)
        XCTAssertEqual(detail.json["rowsTotal"] as? Int, 9)
        let scores = (detail.json["rows"] as? [[String: Any]] ?? []).compactMap { ($0["score"] as? NSNumber)?.doubleValue }
        XCTAssertEqual(scores.count, 5)
        XCTAssertEqual(scores, scores.sorted(by: >), "rows sorted by score")
        let grid = try HTTP.get("/api/research/runs/\(runId)?sort=cell&archetype=orb-30-es-1m&instrument=ES").json
        XCTAssertEqual(grid["rowsTotal"] as? Int, 9, "one grid's rows, as the heat map reads them")
        XCTAssertEqual((grid["rows"] as? [[String: Any]])?.compactMap { $0["cell"] as? Int }, Array(0..<9))
        XCTAssertEqual(try HTTP.get("/api/research/runs/\(runId)?instrument=NQ").json["rowsTotal"] as? Int, 0)
        XCTAssertEqual(try HTTP.get("/api/research/runs/\(runId)?sort=luck").status, 400)
        XCTAssertEqual(try HTTP.get("/api/research/runs/00000000-0000-0000-0000-000000000000").status, 404)
    }
}
