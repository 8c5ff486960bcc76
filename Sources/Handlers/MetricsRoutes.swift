import FCGIHost
import Foundation

/// GET /metrics in the Prometheus text format: the database's figures
/// (`metrics_snapshot()`: queue, job durations, rescues, breaker, ticks, schedule lag,
/// worker heartbeats, paper equity and risk-limit use) and this host process's HTTP
/// figures (`HTTPMetrics`). nginx passes the path to the host (nginx/nginx.conf).
enum MetricsRoutes {
    static func register(_ router: inout Router) {
        router.get("/metrics", metrics)
    }

    static func metrics(_ context: RequestContext) throws -> Response {
        var text = PrometheusText()
        for sample in try context.api().metricsSnapshot() {
            // A histogram's family is its name without the _bucket/_sum/_count suffix.
            let family = sample.type == "histogram"
                ? sample.name.replacingOccurrences(of: "_(bucket|sum|count)$", with: "", options: .regularExpression)
                : sample.name
            if let help = sample.help { text.family(family, type: sample.type, help: help) }
            text.sample(sample.name, sample.labels, sample.value)
        }
        HTTPMetrics.process.render(into: &text)
        return Response(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                        body: Array(text.text.utf8))
    }
}
