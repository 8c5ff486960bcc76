import FCGIHost
import Foundation
import Postgres

/// Liveness and readiness, kept apart as PostgREST does: `/api/health` never
/// touches the database, `/api/ready` answers 200 only when it can serve.
enum HealthRoutes {
    static func register(_ router: inout Router, startedAt: Date) {
        router.get("/api/health") { context in try health(context, startedAt: startedAt) }
        router.get("/api/ready", ready)
    }

    struct Health: Encodable {
        let status = "ok"
        let version = GauntletVersion.current
        let pid = Int(getpid())
        let uptimeSeconds: Double
    }

    static func health(_ context: RequestContext, startedAt: Date) throws -> Response {
        let uptime = max(0, Date().timeIntervalSince(startedAt))
        return .json(JSON.encode(Health(uptimeSeconds: (uptime * 1000).rounded() / 1000)))
    }

    /// One round trip: `api_ready()` (sql/functions/api_ready.sql) builds the document.
    static func ready(_ context: RequestContext) throws -> Response {
        do {
            return .json(try context.api().ready())
        } catch let error as APIError where error.code == "DATABASE_UNAVAILABLE" {
            throw notReady("DATABASE_UNREACHABLE", error.message, fix: error.suggestedFix)
        } catch let error as PostgresError where error.sqlState == "42883" || error.sqlState == "42P01" {
            throw notReady("NOT_MIGRATED", "the database has no Gauntlet schema yet",
                           fix: "run `gauntlet migrate` (scripts/up does)")
        } catch let error as PostgresError where error.isConnectionProblem {
            throw notReady("DATABASE_UNREACHABLE", error.message, fix: "retry shortly; PostgreSQL is restarting or unreachable")
        }
    }

    static func notReady(_ reason: String, _ message: String, fix: String?) -> APIError {
        APIError(status: 503, code: "NOT_READY", message: message, suggestedFix: fix, details: ["reason": reason])
    }
}

public enum GauntletVersion {
    public static let current = "0.1.0"
}
