import Foundation

/// Seconds between laps on the monotonic clock: the benchmarks' phase timings.
public struct Stopwatch {
    private var last = DispatchTime.now().uptimeNanoseconds

    public init() {}

    /// Seconds since the previous lap (or since the watch was made).
    public mutating func lap() -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { last = now }
        return Double(now - last) / 1e9
    }
}
