import FCGIHost

/// Workers, queue depths, running backtests against their limit, the breaker.
enum SchedulerRoutes {
    static func register(_ router: inout Router) {
        router.get("/api/scheduler/status") { context in
            .json(try context.api().schedulerStatus())
        }
    }
}
