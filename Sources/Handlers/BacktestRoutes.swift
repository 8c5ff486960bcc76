import FCGIHost
import Foundation
import Postgres

/// Backtests: queue one for a bot, re-run one, list and read them.
enum BacktestRoutes {
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

    /// Queues a backtest through the real queue; a worker runs it. Without a
    /// type the bot's evidence decides baseline or refresh; a type must be a
    /// backtest kind (job_kinds decides, in `api_enqueue_backtest`).
    static func enqueue(_ context: RequestContext) throws -> Response {
        let request = try context.body(EnqueueRequest.self, allowedKeys: ["botId", "type"])
        let queued: APIFunctions.Created
        do {
            queued = try context.api().enqueueBacktest(bot: request.botId, type: request.type, reason: "API_REQUEST")
        } catch let error as PostgresError where error.sqlState == "22023" && error.message == "NOT_A_BACKTEST_KIND" {
            // The same 400 as any other bad field: the client named a wrong `type`.
            throw APIError.invalidParameter("type", error.detail ?? "is not a backtest kind", fix: error.hint)
        }
        return .json(queued.document, status: queued.created ? 202 : 200)
    }

    /// `:id` is a backtest session (re-run that session's bot) or a bot id.
    static func rerun(_ context: RequestContext) throws -> Response {
        let id = try context.uuidParameter("id")
        let api = try context.api()
        guard let bot = try api.backtestBot(id) else {
            throw APIError(status: 404, code: "BACKTEST_NOT_FOUND",
                           message: "no backtest or bot has id \(id.uuidString.lowercased())",
                           suggestedFix: "list backtests with GET /api/backtests")
        }
        let queued = try api.enqueueBacktest(bot: bot, type: "BACKTEST_REFRESH", reason: "API_RERUN")
        return .json(queued.document, status: queued.created ? 202 : 200)
    }

    static func list(_ context: RequestContext) throws -> Response {
        let bot = try context.uuidQuery("botId")
        let status = try context.choiceQuery("status", statuses)
        let limit = try context.limit(default: 50, max: 200)
        let before = try context.timeQuery("before", fix: "pass nextBefore from the previous page")
        return .json(try context.api().backtests(bot: bot, status: status, limit: limit, before: before))
    }

    static func show(_ context: RequestContext) throws -> Response {
        let id = try context.uuidParameter("id")
        guard let doc = try context.api().backtest(id) else {
            throw APIError(status: 404, code: "BACKTEST_NOT_FOUND", message: "no backtest has id \(id.uuidString.lowercased())",
                           suggestedFix: "list backtests with GET /api/backtests")
        }
        return .json(doc)
    }
}
