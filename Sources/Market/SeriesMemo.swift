import Foundation

/// Values derived from one bar series that depend on no strategy parameter — its
/// fingerprint, its session map, the simulator's day plans — computed once per series
/// and shared by every copy of it. The cells of a research grid all run on the same
/// fetched bars, so they pay for these once instead of once per cell. Thread-safe: a
/// worker's slots share the series they fetched.
final class SeriesMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [AnyHashable: Any] = [:]

    func value<T>(_ key: AnyHashable, _ make: () -> T) -> T {
        if let known = lock.withLock({ values[key] }) as? T { return known }
        // Computed outside the lock: two racing slots compute equal values, and the
        // second simply replaces the first.
        let made = make()
        lock.withLock { values[key] = made }
        return made
    }
}

extension BarSeries {
    /// `make()` once per (series, key): for values that depend only on these bars and
    /// the key (never on a strategy's parameters). The key's type and value name it.
    public func memoized<T>(_ key: AnyHashable, _ make: () -> T) -> T {
        memo.value(key, make)
    }
}
