import FCGIHost
import Foundation
import Postgres

/// Bots, archetypes and the starter pack.
enum BotRoutes {
    static func register(_ router: inout Router) {
        router.get("/api/bots", list)
        router.get("/api/bots/:id", show)
        router.post("/api/bots/starter-pack", seedStarterPack)
        router.post("/api/bots/:id/evolve", evolve)
        router.get("/api/archetypes", archetypes)
    }

    static func list(_ context: RequestContext) throws -> Response {
        .json(try context.db().query("select api_bots()::text as doc", idempotent: true).single().decode("doc"))
    }

    static func show(_ context: RequestContext) throws -> Response {
        let id = try context.uuidParameter("id")
        let row = try context.db().query("select api_bot($1)::text as doc", [id], idempotent: true).single()
        guard let doc = try row.decodeIfPresent("doc", as: String.self) else { throw APIError.botNotFound(id) }
        return .json(doc)
    }

    /// The 20 archetypes as the code defines them (families, defaults, bounds).
    static func archetypes(_ context: RequestContext) throws -> Response {
        struct Page: Encodable { let count: Int; let archetypes: [Catalog.ArchetypeRow] }
        let all = Catalog.archetypes
        return .json(JSON.encode(Page(count: all.count, archetypes: all)))
    }

    struct StarterPackRequest: Decodable {
        var autoKickoffBacktests: Bool?
    }

    /// Creates the archetypes and one bot each; idempotent. Baselines are
    /// queued unless the request or `settings.auto_kickoff_backtests` says no.
    static func seedStarterPack(_ context: RequestContext) throws -> Response {
        let request = try context.body(StarterPackRequest.self, allowedKeys: ["autoKickoffBacktests"])
        let doc: String = try context.db().query(
            "select seed_starter_pack($1::jsonb, $2::jsonb, $3)::text as doc",
            [try JSONText(encoding: Catalog.instruments), try JSONText(encoding: Catalog.archetypes),
             request.autoKickoffBacktests]).single().decode("doc")
        return .json(doc, status: 201)
    }
}

extension BotRoutes {
    /// Forces an EVOLVE job for the bot now (the planner would wait for its
    /// gates to fail three cycles); the worker creates the Gen+1 bot.
    static func evolve(_ context: RequestContext) throws -> Response {
        let id = try context.uuidParameter("id")
        let row = try context.db().query("""
            select e.job_id, e.created, e.reason_code, j.status, j.trace_id
            from enqueue_job($1, 'EVOLVE', 50, '{"forced": true}'::jsonb, now(), 'FORCED_BY_API') e
            join bot_jobs j on j.id = e.job_id
            """, [id]).single()
        struct Queued: Encodable { let jobId: UUID, botId: UUID, type: String, status: String, created: Bool, traceId: UUID }
        let queued = Queued(jobId: try row.decode("job_id"), botId: id, type: "EVOLVE", status: try row.decode("status"),
                            created: try row.decode("created"), traceId: try row.decode("trace_id"))
        return .json(JSON.encode(queued), status: queued.created ? 202 : 200)
    }
}

extension APIError {
    static func botNotFound(_ id: UUID) -> APIError {
        APIError(status: 404, code: "BOT_NOT_FOUND", message: "no bot has id \(id.uuidString.lowercased())",
                 suggestedFix: "list bots with GET /api/bots")
    }
}
