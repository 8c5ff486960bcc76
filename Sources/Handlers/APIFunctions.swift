import Foundation
import Postgres

/// The API's one door to the database (STYLE.md, PostgREST's `Query` stage):
/// one method per named SQL function in `sql/functions`, parameters always
/// bound, answering the JSON document the function built (or a typed value).
/// Routes parse and validate, call one of these, render; no route holds SQL.
///
/// Reads pass `idempotent: true`, so after a lost connection they are retried
/// once on a fresh one; writes are never retried (the caller is told instead).
struct APIFunctions {
    let connection: Connection

    init(_ connection: Connection) { self.connection = connection }

    /// A document from a write that answers 202 when it created something,
    /// 200 when it found the thing already there.
    struct Created {
        let document: String
        let created: Bool
    }

    // MARK: bots

    /// `api_bots()`: GET /api/bots.
    func bots() throws -> String {
        try document("select api_bots()::text as doc", idempotent: true)
    }

    /// `api_bot(id)`: GET /api/bots/:id; nil when no bot has that id.
    func bot(_ id: UUID) throws -> String? {
        try optionalDocument("select api_bot($1)::text as doc", [id], idempotent: true)
    }

    /// `seed_starter_pack(instruments, archetypes, autoKickoff)`.
    /// `seed_starter_pack`: created is whether it created any bot (a repeat creates none).
    func seedStarterPack(instruments: JSONText, archetypes: JSONText, autoKickoff: Bool?) throws -> Created {
        try created("""
            select d::text as doc, jsonb_array_length(d -> 'created') > 0 as created
              from seed_starter_pack($1::jsonb, $2::jsonb, $3) d
            """, [instruments, archetypes, autoKickoff])
    }

    /// `metrics_snapshot()`: the database's samples for GET /metrics (a help text only on
    /// a family's first row).
    func metricsSnapshot() throws -> [(name: String, type: String, help: String?, labels: [String: String], value: Double)] {
        try connection.query("select name, type, help, labels::text as labels, value from metrics_snapshot()",
                             idempotent: true).rows.map { row in
            let labels = (try? JSONSerialization.jsonObject(with: Data((try row.decode("labels") as String).utf8)))
                as? [String: Any] ?? [:]
            return (try row.decode("name"), try row.decode("type"), try row.decodeIfPresent("help"),
                    labels.mapValues { "\($0)" }, try row.decode("value"))
        }
    }

    /// `api_enqueue_evolve(bot)`: a forced EVOLVE job. P0002 BOT_NOT_FOUND, P0001 BOT_KILLED.
    func enqueueEvolve(bot: UUID) throws -> Created {
        try created("select d::text as doc, (d ->> 'created')::boolean as created from api_enqueue_evolve($1) d", [bot])
    }

    // MARK: backtests

    /// `api_enqueue_backtest(bot, type, reason)`: nil type lets the bot's evidence
    /// choose baseline or refresh. 22023 NOT_A_BACKTEST_KIND, P0002 BOT_NOT_FOUND,
    /// P0001 BOT_KILLED.
    func enqueueBacktest(bot: UUID, type: String?, reason: String) throws -> Created {
        try created("select d::text as doc, (d ->> 'created')::boolean as created from api_enqueue_backtest($1, $2, $3) d",
                    [bot, type, reason])
    }

    /// `api_backtest_bot(id)`: the bot of a backtest session, or the bot itself; nil when neither.
    func backtestBot(_ id: UUID) throws -> UUID? {
        try connection.query("select api_backtest_bot($1) as bot", [id], idempotent: true).single()
            .decodeIfPresent("bot", as: UUID.self)
    }

    /// `api_backtests(bot, status, limit, before)`: GET /api/backtests.
    func backtests(bot: UUID?, status: String?, limit: Int, before: Date?) throws -> String {
        try document("select api_backtests($1, $2, $3, $4)::text as doc", [bot, status, limit, before], idempotent: true)
    }

    /// `api_backtest(id)`: GET /api/backtests/:id; nil when no session has that id.
    func backtest(_ id: UUID) throws -> String? {
        try optionalDocument("select api_backtest($1)::text as doc", [id], idempotent: true)
    }

    /// `enqueue_missing_baselines(reason)`: a baseline for every bot without evidence.
    func enqueueMissingBaselines(reason: String) throws -> String {
        try document("select enqueue_missing_baselines($1)::text as doc", [reason])
    }

    // MARK: research

    /// `api_research_start(archetypes, instruments, from, to, maxCells)`: POST /api/backtests/run. 22023
    /// UNKNOWN_ARCHETYPE / UNKNOWN_INSTRUMENT / INVALID_WINDOW, P0001 RUN_IN_PROGRESS.
    func startResearch(archetypes: [String]?, instruments: [String]?, from: String?, to: String?,
                       maxCells: Int32?) throws -> String {
        func list(_ values: [String]?) throws -> String? {
            try values.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        }
        return try document("""
            select api_research_start(
                case when $1::jsonb is null then null else array(select jsonb_array_elements_text($1::jsonb)) end,
                case when $2::jsonb is null then null else array(select jsonb_array_elements_text($2::jsonb)) end,
                $3::date, $4::date, $5)::text as doc
            """, [try list(archetypes), try list(instruments), from, to, maxCells])
    }

    /// `api_research_status()`: GET /api/backtests/status.
    func researchStatus() throws -> String {
        try document("select api_research_status()::text as doc", idempotent: true)
    }

    /// `api_research_latest(partial)`: GET /api/backtests/latest; nil before any run completed.
    func researchLatest(partial: Bool) throws -> String? {
        try optionalDocument("select api_research_latest($1)::text as doc", [partial], idempotent: true)
    }

    /// `api_research_runs(limit)`: GET /api/research/runs.
    func researchRuns(limit: Int) throws -> String {
        try document("select api_research_runs($1)::text as doc", [limit], idempotent: true)
    }

    /// `api_research_run(id, sort, limit, offset)`: GET /api/research/runs/:id; nil for an unknown run.
    func researchRun(_ id: UUID, sort: String, limit: Int, offset: Int32, archetype: String?, instrument: String?) throws -> String? {
        try optionalDocument("select api_research_run($1, $2, $3, $4, $5, $6)::text as doc",
                             [id, sort, limit, offset, archetype, instrument], idempotent: true)
    }

    // MARK: feed, scheduler, proofs, readiness

    /// `api_feed(bot, type, limit, before)`: GET /api/feed.
    func feed(bot: UUID?, type: String?, limit: Int, before: Int?) throws -> String {
        try document("select api_feed($1, $2, $3, $4)::text as doc", [bot, type, limit, before], idempotent: true)
    }

    /// `api_scheduler_status()`: GET /api/scheduler/status.
    func schedulerStatus() throws -> String {
        try document("select api_scheduler_status()::text as doc", idempotent: true)
    }

    /// `api_proof_autonomy()`: GET /api/_proof/autonomy.
    func proofAutonomy() throws -> String {
        try document("select api_proof_autonomy()::text as doc", idempotent: true)
    }

    /// `api_proof_jobs()`: GET /api/_proof/jobs.
    func proofJobs() throws -> String {
        try document("select api_proof_jobs()::text as doc", idempotent: true)
    }

    /// `api_ready()`: GET /api/ready.
    func ready() throws -> String {
        try document("select api_ready()::text as doc", idempotent: true)
    }

    // MARK: integrations and system

    /// `api_usage_summary()`: per-provider calls and verifications.
    func usageSummary() throws -> String {
        try document("select api_usage_summary()::text as doc", idempotent: true)
    }

    /// `api_system_counts()`: the counts on /api/system/status and the kickoff answer.
    func systemCounts() throws -> String {
        try document("select api_system_counts()::text as doc", idempotent: true)
    }

    /// `record_usage(null, rows)`: provider calls not made by a job.
    func recordUsage(_ rows: JSONText) throws {
        try connection.query("select record_usage(null, $1::jsonb)", [rows])
    }

    // MARK: admin

    /// `reset_metrics(dryRun, scope, reason, actor)`. 22023 INVALID_SCOPE / INVALID_REASON, P0002 BOT_NOT_FOUND.
    func resetMetrics(dryRun: Bool, scope: JSONText, reason: String, actor: String) throws -> String {
        try document("select reset_metrics($1, $2::jsonb, $3, $4)::text as doc", [dryRun, scope, reason, actor])
    }

    /// `revert_stages_to_lab(actor, reason)`.
    func revertStagesToLab(actor: String, reason: String) throws -> String {
        try document("select revert_stages_to_lab($1, $2)::text as doc", [actor, reason])
    }

    /// `set_loop_enabled(enabled, actor)`.
    func setLoopEnabled(_ enabled: Bool, actor: String) throws -> String {
        try document("select set_loop_enabled($1, $2)::text as doc", [enabled, actor])
    }

    /// `set_kill_switch(engaged, 'api', reason)`.
    func setKillSwitch(_ engaged: Bool, reason: String?) throws -> String {
        try document("select set_kill_switch($1, 'api', $2)::text as doc", [engaged, reason])
    }

    // MARK: paper trading

    func runnerStatus() throws -> String {
        try document("select api_runner_status()::text as doc", idempotent: true)
    }

    func paperRuns(limit: Int, bot: UUID?) throws -> String {
        try document("select api_paper_runs($1, $2)::text as doc", [limit, bot], idempotent: true)
    }

    func paperRun(_ id: UUID) throws -> String? {
        try optionalDocument("select api_paper_run($1)::text as doc", [id], idempotent: true)
    }

    func paperAccount(_ id: UUID) throws -> String? {
        try optionalDocument("select api_paper_account($1)::text as doc", [id], idempotent: true)
    }

    func orders(account: UUID?, status: String?, limit: Int) throws -> String {
        try document("select api_orders($1, $2, $3)::text as doc", [account, status, limit], idempotent: true)
    }

    func positions(account: UUID?) throws -> String {
        try document("select api_positions($1)::text as doc", [account], idempotent: true)
    }

    // MARK: the one place statements run

    private func document(_ sql: String, _ parameters: [(any PostgresEncodable)?] = [],
                          idempotent: Bool = false) throws -> String {
        try connection.query(sql, parameters, idempotent: idempotent).single().decode("doc")
    }

    private func optionalDocument(_ sql: String, _ parameters: [(any PostgresEncodable)?] = [],
                                  idempotent: Bool = false) throws -> String? {
        try connection.query(sql, parameters, idempotent: idempotent).single().decodeIfPresent("doc")
    }

    private func created(_ sql: String, _ parameters: [(any PostgresEncodable)?]) throws -> Created {
        let row = try connection.query(sql, parameters).single()
        return Created(document: try row.decode("doc"), created: try row.decode("created"))
    }
}
