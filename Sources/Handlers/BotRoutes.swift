import FCGIHost
import Foundation
import Postgres

/// Bots, archetypes and the starter pack.
enum BotRoutes {
    static func register(_ router: inout Router) {
        router.get("/api/bots", list)
        router.get("/api/bots/:id", show)
        router.post("/api/bots/starter-pack", seedStarterPack)
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

extension APIError {
    static func botNotFound(_ id: UUID) -> APIError {
        APIError(status: 404, code: "BOT_NOT_FOUND", message: "no bot has id \(id.uuidString.lowercased())",
                 suggestedFix: "list bots with GET /api/bots")
    }
}
