import Market

/// A 95 % interval around an estimate.
public struct Interval: Sendable, Codable, Equatable {
    public let estimate: Double
    public let ciLow: Double
    public let ciHigh: Double

    enum CodingKeys: String, CodingKey {
        case estimate, ciLow = "ci_low", ciHigh = "ci_high"
    }
}

/// Percentile intervals from a seeded circular block bootstrap of sessions.
///
/// A resample draws blocks of `blockLength` consecutive sessions (wrapping around
/// the end) at uniformly random starts until it holds as many sessions as the
/// original, so volatility clustering within a week survives resampling. Each
/// session carries its PnL, trades, gross profit and gross loss, so the Sharpe
/// ratio (daily, √252), the expectancy per trade and the profit factor (10 without
/// losses, 0 without profit: DESIGN.md §6) are computed per resample exactly as the
/// engine computes them. The seed comes from the inputs, so the same evidence always
/// gives the same interval.
public struct BlockBootstrap: Sendable, Codable, Equatable {
    public let resamples: Int
    public let blockLength: Int
    public let confidence: Double
    public let sharpe: Interval
    public let expectancy: Interval
    public let profitFactor: Interval

    enum CodingKeys: String, CodingKey {
        case resamples, blockLength = "block_length", confidence, sharpe, expectancy
        case profitFactor = "profit_factor"
    }

    /// One session's contribution.
    struct Day {
        var pnl = 0.0
        var trades = 0
        var grossProfit = 0.0
        var grossLoss = 0.0
    }

    init(days: [Day], startingEquity: Double, estimates: Metrics, resamples: Int, blockLength: Int, seed: UInt64) {
        self.resamples = resamples
        self.blockLength = max(1, blockLength)
        confidence = 0.95
        let n = days.count
        guard n >= 2, resamples > 0 else {
            sharpe = Interval(estimate: estimates.sharpe, ciLow: estimates.sharpe, ciHigh: estimates.sharpe)
            expectancy = Interval(estimate: estimates.expectancy, ciLow: estimates.expectancy, ciHigh: estimates.expectancy)
            profitFactor = Interval(estimate: estimates.profitFactor, ciLow: estimates.profitFactor,
                                    ciHigh: estimates.profitFactor)
            return
        }
        var rng = SplitMix64(seed: seed)
        var sharpes = [Double](), expectancies = [Double](), factors = [Double]()
        sharpes.reserveCapacity(resamples)
        expectancies.reserveCapacity(resamples)
        factors.reserveCapacity(resamples)
        let block = min(self.blockLength, n)
        for _ in 0..<resamples {
            var sum = 0.0, squares = 0.0, pnl = 0.0, trades = 0, profit = 0.0, loss = 0.0
            var taken = 0
            while taken < n {
                let start = Int(rng.next() % UInt64(n))
                for k in 0..<min(block, n - taken) {
                    let day = days[(start + k) % n]
                    let r = day.pnl / startingEquity
                    sum += r
                    squares += r * r
                    pnl += day.pnl
                    trades += day.trades
                    profit += day.grossProfit
                    loss += day.grossLoss
                }
                taken += block
            }
            let mean = sum / Double(n)
            let variance = max(0, (squares - Double(n) * mean * mean) / Double(n - 1))
            sharpes.append(variance > 0 ? mean / variance.squareRoot() * 252.0.squareRoot() : 0)
            expectancies.append(safeRatio(pnl, Double(trades)))
            factors.append(ratioWithCeiling(profit, loss))
        }
        sharpe = Self.interval(estimates.sharpe, sharpes)
        expectancy = Self.interval(estimates.expectancy, expectancies)
        profitFactor = Self.interval(estimates.profitFactor, factors)
    }

    /// The 2.5th and 97.5th percentiles (nearest rank on the sorted resamples).
    private static func interval(_ estimate: Double, _ values: [Double]) -> Interval {
        let sorted = values.sorted()
        let last = sorted.count - 1
        func at(_ q: Double) -> Double { finiteOrZero(sorted[Int((q * Double(last)).rounded())]) }
        return Interval(estimate: estimate, ciLow: at(0.025), ciHigh: at(0.975))
    }
}
