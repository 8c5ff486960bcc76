import FCGIHost
import Foundation

/// The whole API, one `register` per area (one file each).
public enum Routes {
    public static func all(startedAt: Date = Date()) -> Router {
        var router = Router()
        HealthRoutes.register(&router, startedAt: startedAt)
        return router
    }
}
