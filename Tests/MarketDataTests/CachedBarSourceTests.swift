import Foundation
import Market
import MarketData
import XCTest

/// A worker's bar cache: one fetch per series however many slots ask at once, hits
/// that record no provider call, and no memory of failures, of expired or of evicted
/// series.
final class CachedBarSourceTests: XCTestCase {
    private let es = Instruments.spec("ES")!
    private let from = ISO8601DateFormatter().date(from: "2024-03-04T00:00:00Z")!
    private let to = ISO8601DateFormatter().date(from: "2024-03-09T00:00:00Z")!

    /// Synthetic bars, slowly, counting the calls; fails while `failing` is set.
    private final class CountingSource: BarSource, @unchecked Sendable {
        let lock = NSLock()
        var calls = 0
        var failing = false
        var provider: String { "synthetic" }

        func fetchBars(_ request: BarRequest) throws(MarketDataError) -> BarFetch {
            let fail = lock.withLock { calls += 1; return failing }
            Thread.sleep(forTimeInterval: 0.05)
            if fail { throw MarketDataError(code: "PROVIDER_DOWN", message: "down for the test") }
            return try SyntheticBarSource().fetchBars(request)
        }
    }

    private final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [String] = []
        func add(_ value: String) { lock.withLock { values.append(value) } }
    }

    private func request(days: Double = 0) -> BarRequest {
        BarRequest(instrument: es, timeframe: .m1, from: from, to: to.addingTimeInterval(days * 86_400))
    }

    func testConcurrentSlotsShareOneFetch() throws {
        let inner = CountingSource()
        let cache = CachedBarSource(inner)
        let seen = Seen()
        let shared = request()
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            let fetch = try! cache.fetchBars(shared)
            seen.add(fetch.bars.fingerprint)
        }
        XCTAssertEqual(inner.calls, 1, "six slots, one fetch")
        XCTAssertEqual(Set(seen.values).count, 1)
        XCTAssertEqual([cache.misses, cache.hits], [1, 5])

        let hit = try cache.fetchBars(request())
        XCTAssertTrue(hit.usage.isEmpty, "a hit made no provider call")
        XCTAssertEqual(hit.source, "synthetic")
        _ = try cache.fetchBars(request(days: 1))
        XCTAssertEqual(inner.calls, 2, "another window is another series")
    }

    func testFailuresExpiryAndEvictionAreNotRemembered() throws {
        let inner = CountingSource()
        inner.failing = true
        let cache = CachedBarSource(inner, capacity: 2)
        XCTAssertThrowsError(try cache.fetchBars(request()))
        inner.failing = false
        _ = try cache.fetchBars(request())
        XCTAssertEqual(inner.calls, 2, "a failure is fetched again")

        _ = try cache.fetchBars(request(days: 1))
        _ = try cache.fetchBars(request(days: 2))  // a third series: the least recently used goes
        _ = try cache.fetchBars(request())
        XCTAssertEqual(inner.calls, 5, "the evicted series is fetched again")

        let expiring = CachedBarSource(inner, lifetime: 0)
        _ = try expiring.fetchBars(request())
        _ = try expiring.fetchBars(request())
        XCTAssertEqual(inner.calls, 7, "an expired series is fetched again")
    }
}
