import Backtest
import Foundation
import Jobs
import Postgres
import XCTest

/// EVOLVE and IMPROVE run by a real `gauntlet worker` against a scratch database:
/// what lands in the tables is what the proofs read.
final class EvolveImproveTests: WorkerTestCase {
    /// Runs the bot's baseline (so it has evidence a child is compared with) on a
    /// worker that also takes the kinds the test needs.
    private func baselined(_ types: String) throws -> UUID {
        let parent = try XCTUnwrap(database.seedBots(1).first)
        let baseline = try database.enqueue(parent, "BACKTEST_BASELINE")
        try startWorker("evolver", slots: 2, types: "BACKTEST_BASELINE,\(types)")
        XCTAssertTrue(try database.waitUntil(timeout: 60) {
            try database.text("select status from bot_jobs where id = $1", [baseline]) == "COMPLETED"
        }, "the parent's baseline did not complete")
        return parent
    }

    func testEvolveCreatesAGenerationTwoCandidateJudgedOnItsParentsBars() throws {
        let parent = try baselined("EVOLVE")
        let archetype = Archetypes.all[0]
        let job = try database.enqueue(parent, "EVOLVE")

        XCTAssertTrue(try database.waitUntil(timeout: 60) {
            try database.int("""
                select count(*)::int from evolution_selections where parent_bot_id = $1 and decision is not null
                """, [parent]) == 1
        }, "the candidate was not judged")

        XCTAssertEqual(try database.text("select status from bot_jobs where id = $1", [job]), "COMPLETED")
        let child = try database.db.query("""
            select id, name, generation, origin, iteration, stage, status, params::text as params, params_hash
              from bots where parent_bot_id = $1
            """, [parent]).single()
        let childID: UUID = try child.decode("id")
        XCTAssertEqual(try child.decode("name", as: String.self), "\(archetype.name) Gen 2")
        XCTAssertEqual(try child.decode("generation", as: Int.self), 2)
        XCTAssertEqual(try child.decode("origin", as: String.self), "EVOLVED")
        XCTAssertEqual(try child.decode("iteration", as: Int.self), 0)
        XCTAssertEqual(try child.decode("stage", as: String.self), "LAB")

        // A paired comparison: the child researched exactly the parent's bars.
        let sides = try database.db.query("""
            select p.window_from = c.window_from and p.window_to = c.window_to as same_window,
                   p.data_fingerprint = c.data_fingerprint as same_bars, s.decision, s.reason_code
              from evolution_selections s
              join backtest_sessions p on p.id = s.parent_session_id
              join backtest_sessions c on c.id = s.candidate_session_id
             where s.candidate_bot_id = $1
            """, [childID]).single()
        XCTAssertEqual(try sides.decode("same_window", as: Bool.self), true)
        XCTAssertEqual(try sides.decode("same_bars", as: Bool.self), true)
        let decision: String = try sides.decode("decision")
        XCTAssertEqual(try child.decode("status", as: String.self), decision == "ACCEPTED" ? "ACTIVE" : "REJECTED")
        XCTAssertEqual(try database.text("select status from bots where id = $1", [parent]),
                       decision == "ACCEPTED" ? "SUPERSEDED" : "ACTIVE")
        XCTAssertEqual(try database.int("""
            select count(*)::int from activity_events
             where bot_id = $1 and event_type = $2 and payload ->> 'candidate_bot_id' = $3
            """, [parent, decision == "ACCEPTED" ? "EVOLUTION_ACCEPTED" : "EVOLUTION_REJECTED", childID.uuidString.lowercased()]), 1)

        // Within the archetype's bounds (params(fromJSON:) refuses anything outside),
        // different from the parent, hashed as the engine hashes them, and exactly the
        // mutation a DBA can reproduce from the parent's id and the generation.
        let childParams = try archetype.params(fromJSON: try child.decode("params", as: String.self))
        XCTAssertNotEqual(childParams, archetype.defaults)
        XCTAssertEqual(try child.decode("params_hash", as: String.self), childParams.hash)
        let expected = try Mutation.mutate(archetype.defaults, of: archetype, seed: Mutation.seed(parent, 2),
                                           strength: Mutation.Strength.evolve)
        XCTAssertEqual(expected.params, childParams)

        let event = try database.db.query("""
            select payload::text as payload, bot_id from activity_events where event_type = 'EVOLVED_GENERATION_CREATED'
            """).single()
        XCTAssertEqual(try event.decode("bot_id", as: UUID.self), parent)
        let payload = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try event.decode("payload", as: String.self).utf8))
            as? [String: Any])
        XCTAssertEqual(payload["parent_bot_id"] as? String, parent.uuidString.lowercased())
        XCTAssertEqual(payload["new_bot_id"] as? String, childID.uuidString.lowercased())
        XCTAssertEqual(payload["generation"] as? Int, 2)
        let mutation = try XCTUnwrap(payload["mutation"] as? [String: [String: Any]])
        XCTAssertEqual(Set(mutation.keys), Set(expected.changes.keys))
        XCTAssertTrue((1...3).contains(mutation.count))
        for (name, change) in mutation {
            XCTAssertEqual(change["to"] as? Double, childParams[name].flatMap { if case .number(let v) = $0 { v } else { nil } },
                           name)
        }
        XCTAssertEqual(try database.text("select job_type from bot_jobs where bot_id = $1", [childID]), "BACKTEST_BASELINE")
    }

    func testEvolveAtThePopulationCapFailsTheJobAndCreatesNothing() throws {
        let parent = try baselined("EVOLVE")
        try database.setSetting("population_cap", "1")
        let job = try database.enqueue(parent, "EVOLVE")

        XCTAssertTrue(try database.waitUntil(timeout: 30) {
            try database.text("select status from bot_jobs where id = $1", [job]) == "FAILED"
        }, "the refused evolution did not fail its job")
        XCTAssertEqual(try database.text("select error_code from bot_jobs where id = $1", [job]), "POPULATION_CAP")
        XCTAssertEqual(try database.int("select attempt from bot_jobs where id = $1", [job]), 1, "a refusal is not retried")
        XCTAssertEqual(try database.int("select count(*)::int from bots"), 1, "no child")
        XCTAssertEqual(try database.text("select status from bots where id = $1", [parent]), "ACTIVE")
        XCTAssertEqual(try database.int("select count(*)::int from activity_events where event_type = 'JOB_FAILED'"), 1)
    }

    func testImproveRecordsTheNextIterationWithANewParamsHash() throws {
        let bot = try XCTUnwrap(database.seedBots(1).first)
        let archetype = Archetypes.all[0]
        let job = try database.enqueue(bot, "IMPROVE")
        try startWorker("improver", slots: 1, types: "IMPROVE")

        XCTAssertTrue(try database.waitUntil(timeout: 60) {
            try database.text("select status from bot_jobs where id = $1", [job]) == "COMPLETED"
        }, "the IMPROVE job did not complete")
        let session = try database.db.query("""
            select iteration, params_hash, params::text as params, bars_tested, data_source, status
              from backtest_sessions where job_id = $1
            """, [job]).single()
        XCTAssertEqual(try session.decode("iteration", as: Int.self), 1)
        XCTAssertEqual(try session.decode("status", as: String.self), "COMPLETED")
        XCTAssertEqual(try session.decode("data_source", as: String.self), "synthetic")
        XCTAssertGreaterThanOrEqual(try session.decode("bars_tested", as: Int.self), 1000)
        let candidateHash: String = try session.decode("params_hash")
        XCTAssertNotEqual(candidateHash, archetype.defaults.hash, "the candidate must be a new parameter set")
        let candidate = try archetype.params(fromJSON: try session.decode("params", as: String.self))
        XCTAssertEqual(candidate.hash, candidateHash)

        let payloadText = try XCTUnwrap(database.text(
            "select payload::text from activity_events where event_type = 'IMPROVE_COMPLETED' and job_id = $1", [job]))
        let payload = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(payloadText.utf8)) as? [String: Any])
        let adopted = try XCTUnwrap(payload["adopted"] as? Bool)
        XCTAssertEqual(payload["iteration"] as? Int, 1)
        XCTAssertEqual(payload["params_hash"] as? String, candidateHash)
        XCTAssertEqual(payload["previous_params_hash"] as? String, archetype.defaults.hash)
        // The documented rule, re-checked from what was recorded.
        func wins(_ window: String) throws -> Bool {
            let comparison = try XCTUnwrap(payload[window] as? [String: [String: Any]])
            func score(_ side: String) throws -> ImprovementScore {
                let s = try XCTUnwrap(comparison[side])
                return ImprovementScore(netPnL: try XCTUnwrap(s["net_pnl"] as? Double),
                                        sharpe: try XCTUnwrap(s["sharpe"] as? Double))
            }
            return try score("candidate").beats(try score("current"))
        }
        XCTAssertEqual(adopted, try wins("in_sample") && wins("out_of_sample"))

        let botRow = try database.db.query("select iteration, params_hash from bots where id = $1", [bot]).single()
        if adopted {
            XCTAssertEqual(try botRow.decode("iteration", as: Int.self), 1)
            XCTAssertEqual(try botRow.decode("params_hash", as: String.self), candidateHash)
        } else {
            XCTAssertEqual(try botRow.decode("iteration", as: Int.self), 0)
            XCTAssertEqual(try botRow.decode("params_hash", as: String.self), archetype.defaults.hash)
        }
        XCTAssertEqual(try database.text("select reason_code from job_run_events where job_id = $1 order by id desc limit 1", [job]),
                       "IMPROVE_RECORDED")
        XCTAssertGreaterThanOrEqual(try database.int("select count(*)::int from integration_usage_events where job_id = $1", [job]),
                                    1, "the bar fetch is recorded as usage")
    }
}
