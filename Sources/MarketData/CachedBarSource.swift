import Foundation
import Market

/// A worker's short memory of the bar series it fetched. A research run asks for the
/// same (instrument, timeframe, window) once per grid cell — up to 64 times — so
/// without it a worker would fetch (or generate) and validate the same bars again for
/// every cell. Here each series is fetched once per worker: concurrent slots asking
/// for a series being fetched wait for that fetch instead of starting their own, and
/// every cell then shares one `BarSeries` (and with it the series' memoised
/// fingerprint and day plans, `SeriesMemo`).
///
/// A hit made no provider call, so its `usage` is empty; `source` is the original
/// fetch's. Entries are dropped after `lifetime` seconds (a window that ends today
/// may gain bars) and beyond `capacity` series, least recently used first; failures
/// are not remembered.
public final class CachedBarSource: BarSource, @unchecked Sendable {
    public let inner: any BarSource
    public let capacity: Int
    public let lifetime: TimeInterval

    private struct Key: Hashable {
        let symbol: String
        let timeframe: Timeframe
        let from: Int64
        let to: Int64
    }

    private enum Entry {
        case fetching
        case ready(BarFetch, fetchedAt: Date, usedAt: Date)
    }

    private let condition = NSCondition()
    private var entries: [Key: Entry] = [:]
    /// Fetches that reached `inner`, and requests served from memory: for tests and logs.
    public private(set) var misses = 0
    public private(set) var hits = 0

    public init(_ inner: any BarSource, capacity: Int = 8, lifetime: TimeInterval = 15 * 60) {
        self.inner = inner
        self.capacity = max(1, capacity)
        self.lifetime = lifetime
    }

    public var provider: String { inner.provider }
    public func covers(_ instrument: Instrument) -> Bool { inner.covers(instrument) }
    public func coverage(for instrument: Instrument) -> Range<Int64>? { inner.coverage(for: instrument) }

    public func fetchBars(_ request: BarRequest) throws(MarketDataError) -> BarFetch {
        let key = Key(symbol: request.instrument.symbol, timeframe: request.timeframe,
                      from: request.fromEpoch, to: request.toEpoch)
        condition.lock()
        while true {
            let now = Date()
            switch entries[key] {
            case .ready(let fetch, let fetchedAt, _) where now.timeIntervalSince(fetchedAt) < lifetime:
                entries[key] = .ready(fetch, fetchedAt: fetchedAt, usedAt: now)
                hits += 1
                condition.unlock()
                return BarFetch(bars: fetch.bars, source: fetch.source, usage: [])
            case .fetching:
                condition.wait()
                continue
            default:
                entries[key] = .fetching
                misses += 1
            }
            break
        }
        condition.unlock()

        let result = Result { () throws(MarketDataError) in try inner.fetchBars(request) }
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        switch result {
        case .success(let fetch):
            let now = Date()
            entries[key] = .ready(fetch, fetchedAt: now, usedAt: now)
            evict()
            return fetch
        case .failure(let error):
            entries[key] = nil
            throw error
        }
    }

    /// Over capacity: the least recently used ready series go (fetches in flight stay).
    private func evict() {
        var ready = entries.compactMap { key, entry -> (Key, Date)? in
            if case .ready(_, _, let usedAt) = entry { return (key, usedAt) }
            return nil
        }
        guard ready.count > capacity else { return }
        ready.sort { $0.1 < $1.1 }
        for (key, _) in ready.prefix(ready.count - capacity) { entries[key] = nil }
    }
}
