import FCGIHost
import Foundation

/// The whole API, one `register` per area (one file each).
public enum Routes {
    /// `openAPI` is the contract GET /api/openapi.json serves (the host loads it at start).
    public static func all(startedAt: Date = Date(),
                           environment: [String: String] = ProcessInfo.processInfo.environment,
                           openAPI: OpenAPIDocument) -> Router {
        var router = Router()
        HealthRoutes.register(&router, startedAt: startedAt)
        BotRoutes.register(&router)
        ResearchRoutes.register(&router)  // before the backtests: its exact paths win over /api/backtests/:id
        BacktestRoutes.register(&router)
        FeedRoutes.register(&router)
        SchedulerRoutes.register(&router)
        IntegrationRoutes.register(&router, environment: environment)
        AdminRoutes.register(&router, auth: AdminAuth(environment: environment))
        ProofRoutes.register(&router)
        PaperRoutes.register(&router)
        MetricsRoutes.register(&router)
        OpenAPIRoutes.register(&router, document: openAPI)
        return router
    }
}
