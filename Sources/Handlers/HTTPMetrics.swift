import Foundation

/// The host process's HTTP figures for GET /metrics: requests by route pattern, method
/// and status, and a latency histogram by route. Shared by every request thread of the
/// process (each host process reports its own; the scraper sums them).
final class HTTPMetrics: @unchecked Sendable {
    /// Upper bounds in seconds; the last bucket (+Inf) is implicit.
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]

    private struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private struct Latency {
        var counts = [Int](repeating: 0, count: HTTPMetrics.buckets.count)
        var sum = 0.0
        var count = 0
    }

    private let lock = NSLock()
    private var requests: [Key: Int] = [:]
    private var latency: [String: Latency] = [:]

    /// This host process's figures (each process has its own; the scraper sums them).
    static let process = HTTPMetrics()

    init() {}

    /// One answered request. `route` is the matched pattern (`/api/bots/:id`), never the
    /// raw path, so ids do not explode the label set; unmatched paths are "unmatched".
    func record(route: String, method: String, status: Int, seconds: Double) {
        lock.withLock {
            requests[Key(route: route, method: method, status: status), default: 0] += 1
            var entry = latency[route] ?? Latency()
            if let bucket = HTTPMetrics.buckets.firstIndex(where: { seconds <= $0 }) { entry.counts[bucket] += 1 }
            entry.sum += seconds
            entry.count += 1
            latency[route] = entry
        }
    }

    /// The families in the Prometheus text format.
    func render(into text: inout PrometheusText) {
        let (requests, latency) = lock.withLock { (self.requests, self.latency) }
        text.family("gauntlet_http_requests_total", type: "counter", help: "API requests answered by this host process")
        for (key, count) in requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            text.sample("gauntlet_http_requests_total", ["route": key.route, "method": key.method, "status": "\(key.status)"],
                        Double(count))
        }
        text.family("gauntlet_http_request_duration_seconds", type: "histogram",
                    help: "time from routing to the response, by route, in this host process")
        for (route, entry) in latency.sorted(by: { $0.key < $1.key }) {
            var cumulative = 0
            for (bound, count) in zip(HTTPMetrics.buckets, entry.counts) {
                cumulative += count
                text.sample("gauntlet_http_request_duration_seconds_bucket", ["route": route, "le": "\(bound)"], Double(cumulative))
            }
            text.sample("gauntlet_http_request_duration_seconds_bucket", ["route": route, "le": "+Inf"], Double(entry.count))
            text.sample("gauntlet_http_request_duration_seconds_sum", ["route": route], entry.sum)
            text.sample("gauntlet_http_request_duration_seconds_count", ["route": route], Double(entry.count))
        }
    }
}
