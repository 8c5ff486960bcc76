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
        .json(try context.api().bots())
    }

    static func show(_ context: RequestContext) throws -> Response {
        let id = try context.uuidParameter("id")
        guard let doc = try context.api().bot(id) else { throw APIError.botNotFound(id) }
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
        let seeded = try context.api().seedStarterPack(instruments: try JSONText(encoding: Catalog.instruments),
                                                       archetypes: try JSONText(encoding: Catalog.archetypes),
                                                       autoKickoff: request.autoKickoffBacktests)
        // 201 only when something was created; a repeat changes nothing and says so.
        return .json(seeded.document, status: seeded.created ? 201 : 200)
    }
}

extension BotRoutes {
    /// Forces an EVOLVE job for the bot now (the planner would wait for its
    /// gates to fail three cycles); the worker creates the Gen+1 bot
    /// (`api_enqueue_evolve`).
    static func evolve(_ context: RequestContext) throws -> Response {
        let id = try context.uuidParameter("id")
        let queued = try context.api().enqueueEvolve(bot: id)
        return .json(queued.document, status: queued.created ? 202 : 200)
    }
}

extension APIError {
    static func botNotFound(_ id: UUID) -> APIError {
        APIError(status: 404, code: "BOT_NOT_FOUND", message: "no bot has id \(id.uuidString.lowercased())",
                 suggestedFix: "list bots with GET /api/bots")
    }
}
