import Foundation

/// How long a stream waits before asking a failed provider again: `initial` after the
/// first failure, multiplied by `factor` after each further consecutive failure, never
/// more than `cap` (defaults: 1, 2, 4 … 32, 60, 60 … s). No jitter, so a test can check
/// the schedule exactly; one runner thread per bot keeps the herd small.
public struct ReconnectBackoff: Sendable, Equatable {
    public var initial: TimeInterval
    public var factor: Double
    public var cap: TimeInterval

    public init(initial: TimeInterval = 1, factor: Double = 2, cap: TimeInterval = 60) {
        precondition(initial > 0 && factor >= 1 && cap >= initial, "0 < initial ≤ cap, factor ≥ 1")
        self.initial = initial
        self.factor = factor
        self.cap = cap
    }

    /// The wait after `failures` consecutive failures (1-based).
    public func delay(afterFailures failures: Int) -> TimeInterval {
        let exponent = Double(max(0, failures - 1))
        // Past the cap the power only grows; stop before it overflows to inf.
        guard exponent < 1024, case let wait = initial * pow(factor, exponent), wait.isFinite else { return cap }
        return min(cap, wait)
    }
}
