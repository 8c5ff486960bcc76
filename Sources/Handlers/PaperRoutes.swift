import FCGIHost
import Foundation

/// Paper trading (docs/paper.md): the runner's status, its runs and their reports,
/// accounts with their limits in use, orders and positions. Reads only; each answer
/// is one SQL function.
enum PaperRoutes {
    static func register(_ router: inout Router) {
        router.get("/api/runner/status") { context in .json(try context.api().runnerStatus()) }
        router.get("/api/paper/runs", runs)
        router.get("/api/paper/runs/:id", run)
        router.get("/api/paper/accounts/:id", account)
        router.get("/api/orders", orders)
        router.get("/api/positions") { context in
            .json(try context.api().positions(account: try context.uuidQuery("accountId")))
        }
    }

    static func runs(_ context: RequestContext) throws -> Response {
        .json(try context.api().paperRuns(limit: try context.limit(default: 20, max: 200), bot: try context.uuidQuery("botId")))
    }

    static func run(_ context: RequestContext) throws -> Response {
        let id = try context.uuidParameter("id")
        guard let doc = try context.api().paperRun(id) else {
            throw APIError(status: 404, code: "RUN_NOT_FOUND", message: "no paper run has id \(id.uuidString.lowercased())",
                           suggestedFix: "list runs with GET /api/paper/runs")
        }
        return .json(doc)
    }

    static func account(_ context: RequestContext) throws -> Response {
        let id = try context.uuidParameter("id")
        guard let doc = try context.api().paperAccount(id) else {
            throw APIError(status: 404, code: "ACCOUNT_NOT_FOUND", message: "no paper account has id \(id.uuidString.lowercased())",
                           suggestedFix: "find it in GET /api/runner/status or GET /api/paper/runs (accountId)")
        }
        return .json(doc)
    }

    static let orderStatuses = ["SUBMITTED", "ACCEPTED", "PARTIALLY_FILLED", "FILLED", "CANCELLED", "REJECTED"]

    static func orders(_ context: RequestContext) throws -> Response {
        .json(try context.api().orders(account: try context.uuidQuery("accountId"),
                                       status: try context.choiceQuery("status", orderStatuses),
                                       limit: try context.limit(default: 100, max: 1000)))
    }
}
