import FCGIHost
import Foundation
import Market
import Postgres

/// Parameter-grid research (docs/research.md): start a run, follow it, read the
/// last completed one. Registered before the backtest routes, so these exact paths
/// win over `/api/backtests/:id`.
enum ResearchRoutes {
    static func register(_ router: inout Router) {
        router.post("/api/backtests/run", start)
        router.get("/api/backtests/status", status)
        router.get("/api/backtests/latest", latest)
        router.get("/api/research/runs", runs)
        router.get("/api/research/runs/:id", run)
    }

    struct StartRequest: Decodable {
        var archetypes: [String]?
        var instruments: [String]?
        var from: String?
        var to: String?
        /// `int` in SQL: a number past Int32 is refused here as a bad field, not by the database.
        var maxCells: Int32?
    }

    /// `{}` = every archetype on its own instrument over the last 182 days; 202 with
    /// the run; 409 RUN_IN_PROGRESS (with the running run's status) while one is active.
    static func start(_ context: RequestContext) throws -> Response {
        let request = try context.body(StartRequest.self, allowedKeys: ["archetypes", "instruments", "from", "to", "maxCells"])
        func date(_ name: String, _ text: String?) throws -> String? {
            guard let text else { return nil }
            guard CivilDate(text) != nil else {
                throw APIError.invalidParameter(name, "'\(text)' is not a date", fix: "use YYYY-MM-DD")
            }
            return text
        }
        let from = try date("from", request.from), to = try date("to", request.to)
        for (name, list) in [("archetypes", request.archetypes), ("instruments", request.instruments)] where list?.isEmpty == true {
            throw APIError.invalidParameter(name, "must not be empty", fix: "leave it out for the default scope")
        }
        let api = try context.api()
        do {
            return .json(try api.startResearch(archetypes: request.archetypes, instruments: request.instruments,
                                               from: from, to: to, maxCells: request.maxCells), status: 202)
        } catch let error as PostgresError where error.sqlState == "P0001" && error.message == "RUN_IN_PROGRESS" {
            // The run in progress beside the API's one error envelope (`error`).
            let refusal = APIError(status: 409, code: "RUN_IN_PROGRESS", message: "research run \(error.detail ?? "") is still running",
                                   suggestedFix: "follow it with GET /api/backtests/status; start another when it has finished",
                                   details: ["runId": error.detail ?? ""]).response(traceId: context.request.traceId)
            var doc = (try? JSONSerialization.jsonObject(with: Data(try api.researchStatus().utf8))) as? [String: Any] ?? [:]
            doc["error"] = ((try? JSONSerialization.jsonObject(with: Data(refusal.body))) as? [String: Any])?["error"]
            let body = try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys, .withoutEscapingSlashes])
            return .json(String(decoding: body, as: UTF8.self), status: 409)
        }
    }

    static func status(_ context: RequestContext) throws -> Response {
        .json(try context.api().researchStatus())
    }

    /// The last completed run (and `lastError` when a newer one failed); `?partial=1`
    /// shows the running run's instruments so far.
    static func latest(_ context: RequestContext) throws -> Response {
        let partial = try context.choiceQuery("partial", ["0", "1", "true", "false"])
        guard let doc = try context.api().researchLatest(partial: partial == "1" || partial == "true") else {
            throw APIError(status: 404, code: "NO_COMPLETED_RUN", message: "no research run has completed yet",
                           suggestedFix: "start one with POST /api/backtests/run and follow GET /api/backtests/status")
        }
        return .json(doc)
    }

    static func runs(_ context: RequestContext) throws -> Response {
        .json(try context.api().researchRuns(limit: try context.limit(default: 20, max: 200)))
    }

    /// One run with its selection and a page of rows (`?sort=score|cell&limit=&offset=`),
    /// optionally one grid's (`&archetype=&instrument=`; unknown names match no rows).
    static func run(_ context: RequestContext) throws -> Response {
        let id = try context.uuidParameter("id")
        let sort = try context.choiceQuery("sort", ["score", "cell"]) ?? "score"
        let limit = try context.limit(default: 100, max: 1000)
        var offset: Int32 = 0
        if let text = context.request.query["offset"], !text.isEmpty {
            // `int` in SQL: past Int32 the database would fail (SQLSTATE 22003, a 500).
            guard let value = Int32(text), value >= 0 else {
                throw APIError.invalidParameter("offset", "'\(text)' is not a whole number from 0 to \(Int32.max)")
            }
            offset = value
        }
        let archetype = context.request.query["archetype"].flatMap { $0.isEmpty ? nil : $0 }
        let instrument = context.request.query["instrument"].flatMap { $0.isEmpty ? nil : $0 }
        guard let doc = try context.api().researchRun(id, sort: sort, limit: limit, offset: offset,
                                                      archetype: archetype, instrument: instrument) else {
            throw APIError(status: 404, code: "RUN_NOT_FOUND", message: "no research run has id \(id.uuidString.lowercased())",
                           suggestedFix: "list runs with GET /api/research/runs")
        }
        return .json(doc)
    }
}
