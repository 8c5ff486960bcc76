/// The few moments `ReturnStatistics` needs, each nil where it is undefined (too few
/// values, or no variation) rather than a made-up number.
enum SampleMoments {
    static func mean(_ x: [Double]) -> Double? {
        x.isEmpty ? nil : x.reduce(0, +) / Double(x.count)
    }

    /// Standard deviation with the 1/n denominator (the moment, as in kurtosis);
    /// nil for fewer than two values.
    static func populationSD(_ x: [Double]) -> Double? {
        guard x.count >= 2, let m = mean(x) else { return nil }
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot()
    }

    /// Standard deviation with the 1/(n − 1) denominator; nil for fewer than two values.
    static func sampleSD(_ x: [Double]) -> Double? {
        guard x.count >= 2, let m = mean(x) else { return nil }
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
    }

    /// Excess kurtosis m4 / m2² − 3 from the central moments (1/n, no small-sample
    /// correction: with tens of thousands of returns it makes no difference). 0 for a
    /// normal distribution, −2 for two equally likely values. Nil for fewer than four
    /// values or no variation.
    static func excessKurtosis(_ x: [Double]) -> Double? {
        guard x.count >= 4, varies(x), let m = mean(x) else { return nil }
        var m2 = 0.0, m4 = 0.0
        for v in x {
            let d = (v - m) * (v - m)
            m2 += d
            m4 += d * d
        }
        m2 /= Double(x.count)
        m4 /= Double(x.count)
        return m4 / (m2 * m2) - 3
    }

    /// Lag-1 autocorrelation over the pairs that are adjacent in time:
    /// γ1 / γ0 with γ0 = mean of (x − x̄)² over all values and γ1 = mean of
    /// (x[t] − x̄)(x[t−1] − x̄) over the t where `continues[t]` (the value before it is
    /// its immediate predecessor). Gaps and session starts break the chain instead of
    /// pairing unrelated minutes. Averaging γ1 over the pairs rather than dividing
    /// by n keeps gaps from shrinking it: alternating ±a gives exactly −1. Nil without
    /// pairs or without variation.
    static func lag1Autocorrelation(_ x: [Double], continues: [Bool]) -> Double? {
        precondition(x.count == continues.count, "one flag per value")
        guard varies(x), let m = mean(x) else { return nil }
        var g0 = 0.0, g1 = 0.0
        var pairs = 0
        for t in x.indices {
            g0 += (x[t] - m) * (x[t] - m)
            if t > 0, continues[t] {
                g1 += (x[t] - m) * (x[t - 1] - m)
                pairs += 1
            }
        }
        g0 /= Double(x.count)
        guard pairs > 0 else { return nil }
        return (g1 / Double(pairs)) / g0
    }

    /// Whether the values are not all equal. Tested exactly: the mean of equal values
    /// can miss them by an ulp, and a variance of 1e-38 must not pass for variation.
    static func varies(_ x: [Double]) -> Bool {
        guard let first = x.first else { return false }
        return x.contains { $0 != first }
    }
}
