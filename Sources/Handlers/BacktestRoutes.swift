import FCGIHost
import Foundation
import Postgres

/// Backtests: queue one for a bot, re-run one, list and read them.
enum BacktestRoutes {
    static let backtestTypes = ["BACKTEST_BASELINE", "BACKTEST_REFRESH"]
    static let statuses = ["COMPLETED", "FAILED"]

    static func register(_ router: inout Router) {
        router.post("/api/backtests", enqueue)
        router.post("/api/backtests/:id/run", rerun)
        router.get("/api/backtests", list)
        router.get("/api/backtests/:id", show)
    }

    struct EnqueueRequest: Decodable {
        let botId: UUID
        var type: String?
    }

    /// Queues a backtest through the real queue; a worker runs it.
    static func enqueue(_ context: RequestContext) throws -> Response {
        let request = try context.body(EnqueueRequest.self, allowedKeys: ["botId", "type"])
        if let type = request.type, !backtestTypes.contains(type) {
            throw APIError.invalidParameter("type", "'\(type)' is not one of \(backtestTypes.joined(separator: ", "))")
        }
        return try queue(context, bot: request.botId, type: request.type, reason: "API_REQUEST")
    }

    /// `:id` is a backtest session (re-run that session's bot) or a bot id.
    static func rerun(_ context: RequestContext) throws -> Response {
        let id = try context.uuidParameter("id")
        let row = try context.db().query(
            "select coalesce((select bot_id from backtest_sessions where id = $1), (select id from bots where id = $1)) as bot",
            [id], idempotent: true).single()
        guard let bot = try row.decodeIfPresent("bot", as: UUID.self) else {
            throw APIError(status: 404, code: "BACKTEST_NOT_FOUND",
                           message: "no backtest or bot has id \(id.uuidString.lowercased())",
                           suggestedFix: "list backtests with GET /api/backtests")
        }
        return try queue(context, bot: bot, type: "BACKTEST_REFRESH", reason: "API_RERUN")
    }

    /// A bot without a completed baseline gets a baseline, otherwise a refresh.
    static func queue(_ context: RequestContext, bot: UUID, type: String?, reason: String) throws -> Response {
        let db = try context.db()
        let row = try db.query("""
            select e.job_id, e.created, e.reason_code, j.job_type, j.status, j.trace_id
            from enqueue_job($1, coalesce($2, case when exists (
                     select 1 from backtest_sessions s where s.bot_id = $1 and s.status = 'COMPLETED')
                 then 'BACKTEST_REFRESH' else 'BACKTEST_BASELINE' end), 100, '{}'::jsonb, now(), $3) e
            join bot_jobs j on j.id = e.job_id
            """, [bot, type, reason]).single()
        struct Queued: Encodable {
            let jobId: UUID, botId: UUID, type: String, status: String, created: Bool, reasonCode: String?, traceId: UUID
        }
        let queued = Queued(jobId: try row.decode("job_id"), botId: bot, type: try row.decode("job_type"),
                            status: try row.decode("status"), created: try row.decode("created"),
                            reasonCode: try row.decodeIfPresent("reason_code"), traceId: try row.decode("trace_id"))
        return .json(JSON.encode(queued), status: queued.created ? 202 : 200)
    }

    static func list(_ context: RequestContext) throws -> Response {
        let bot = try context.uuidQuery("botId")
        let status = try context.choiceQuery("status", statuses)
        let limit = try context.limit(default: 50, max: 200)
        var before: Date?
        if let text = context.request.query["before"], !text.isEmpty {
            guard let date = Date.decode(postgresText: text) else {
                throw APIError.invalidParameter("before", "'\(text)' is not an ISO-8601 time", fix: "pass nextBefore from the previous page")
            }
            before = date
        }
        let doc: String = try context.db().query("select api_backtests($1, $2, $3, $4)::text as doc",
                                                 [bot, status, limit, before], idempotent: true).single().decode("doc")
        return .json(doc)
    }

    static func show(_ context: RequestContext) throws -> Response {
        let id = try context.uuidParameter("id")
        let row = try context.db().query("select api_backtest($1)::text as doc", [id], idempotent: true).single()
        guard let doc = try row.decodeIfPresent("doc", as: String.self) else {
            throw APIError(status: 404, code: "BACKTEST_NOT_FOUND", message: "no backtest has id \(id.uuidString.lowercased())",
                           suggestedFix: "list backtests with GET /api/backtests")
        }
        return .json(doc)
    }
}
