import Foundation

/// The deflated Sharpe ratio (Bailey & López de Prado, "The Deflated Sharpe Ratio:
/// Correcting for Selection Bias, Backtest Overfitting and Non-Normality", 2014):
/// the probability that the true Sharpe ratio is above the best one expected from
/// `trials` unskilled configurations, given the returns' length, skew and kurtosis.
///
///     SR₀ = √V · ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e)))      (N ≥ 2; SR₀ = 0 for N = 1)
///     DSR = Φ( (SR − SR₀) √(T − 1) / √(1 − γ₃ SR + (γ₄ − 1)/4 · SR²) )
///
/// SR is the per-period (daily, not annualised) Sharpe ratio of the T daily returns,
/// γ₃ their skewness and γ₄ their (non-excess) kurtosis, γ the Euler–Mascheroni
/// constant and N the trials. V, the variance of the Sharpe ratios across trials, is
/// not observed for most lineages, so it is the estimator's variance under the null,
/// 1 / (T − 1). Every input is reported, so the value can be recomputed by hand.
public struct DeflatedSharpe: Sendable, Codable, Equatable {
    /// The probability, 0…1.
    public let value: Double
    public let trials: Int
    /// T: daily returns (sessions tested).
    public let observations: Int
    public let sharpePerPeriod: Double
    public let skewness: Double
    /// Non-excess: 3 for normal returns.
    public let kurtosis: Double
    /// SR₀, per period: the best Sharpe expected from `trials` unskilled tries.
    public let expectedMaxSharpe: Double

    enum CodingKeys: String, CodingKey {
        case value, trials, observations, sharpePerPeriod = "sharpe_per_period", skewness, kurtosis
        case expectedMaxSharpe = "expected_max_sharpe"
    }

    static let eulerMascheroni = 0.577_215_664_901_532_9

    /// From daily returns. Fewer than three returns or returns without variation
    /// carry no evidence: value 0.
    public init(returns: [Double], trials: Int) {
        let n = returns.count
        let trials = max(1, trials)
        self.trials = trials
        observations = n
        guard n >= 3 else {
            (value, sharpePerPeriod, skewness, kurtosis, expectedMaxSharpe) = (0, 0, 0, 3, 0)
            return
        }
        let mean = returns.reduce(0, +) / Double(n)
        var m2 = 0.0, m3 = 0.0, m4 = 0.0
        for r in returns {
            let d = r - mean
            m2 += d * d
            m3 += d * d * d
            m4 += d * d * d * d
        }
        m2 /= Double(n)
        m3 /= Double(n)
        m4 /= Double(n)
        let sampleSD = (m2 * Double(n) / Double(n - 1)).squareRoot()
        guard sampleSD > 0 else {
            (value, sharpePerPeriod, skewness, kurtosis, expectedMaxSharpe) = (0, 0, 0, 3, 0)
            return
        }
        let sr = mean / sampleSD
        let skew = m3 / pow(m2, 1.5)
        let kurt = m4 / (m2 * m2)
        let sr0 = Self.expectedMaxSharpe(trials: trials, variance: 1 / Double(n - 1))
        sharpePerPeriod = sr
        skewness = skew
        kurtosis = kurt
        expectedMaxSharpe = sr0
        value = finiteOrZero(Self.probability(sharpe: sr, benchmark: sr0, observations: n, skewness: skew, kurtosis: kurt))
    }

    /// SR₀ for `trials` configurations whose Sharpe ratios vary with `variance`.
    static func expectedMaxSharpe(trials: Int, variance: Double) -> Double {
        guard trials >= 2 else { return 0 }
        let n = Double(trials)
        let g = eulerMascheroni
        return variance.squareRoot()
            * ((1 - g) * StandardNormal.quantile(1 - 1 / n) + g * StandardNormal.quantile(1 - 1 / (n * M_E)))
    }

    /// The probabilistic Sharpe ratio of `sharpe` against `benchmark`.
    static func probability(sharpe: Double, benchmark: Double, observations n: Int, skewness: Double,
                            kurtosis: Double) -> Double {
        // Extreme skew can push the variance term below zero; it is a variance, so floor it.
        let spread = max(1e-12, 1 - skewness * sharpe + (kurtosis - 1) / 4 * sharpe * sharpe)
        return StandardNormal.cdf((sharpe - benchmark) * Double(n - 1).squareRoot() / spread.squareRoot())
    }
}
