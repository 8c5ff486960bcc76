import Market

/// Performance statistics of one backtest (DESIGN.md §6). Every field is finite:
/// where a ratio is undefined the documented fallback below is used instead.
public struct Metrics: Sendable, Codable, Equatable {
    public var netProfit = 0.0
    public var grossProfit = 0.0
    public var grossLoss = 0.0
    public var totalCommission = 0.0
    public var totalSlippage = 0.0
    public var returnPercent = 0.0
    public var totalTrades = 0
    public var winningTrades = 0
    public var losingTrades = 0
    public var winRate = 0.0
    public var profitFactor = 0.0
    public var expectancy = 0.0
    public var averageWin = 0.0
    public var averageLoss = 0.0
    public var winLossRatio = 0.0
    public var medianTrade = 0.0
    public var largestWin = 0.0
    public var largestLoss = 0.0
    public var sharpe = 0.0
    public var sortino = 0.0
    public var maxDrawdown = 0.0
    public var maxDrawdownPercent = 0.0
    public var pnlToDrawdown = 0.0
    public var sqn = 0.0
    public var averageHoldBars = 0.0
    public var averageHoldMinutes = 0.0
    public var exposure = 0.0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case netProfit = "net_profit", grossProfit = "gross_profit", grossLoss = "gross_loss"
        case totalCommission = "total_commission", totalSlippage = "total_slippage"
        case returnPercent = "return_pct", totalTrades = "total_trades", winningTrades = "winning_trades"
        case losingTrades = "losing_trades", winRate = "win_rate", profitFactor = "profit_factor"
        case expectancy, averageWin = "avg_win", averageLoss = "avg_loss", winLossRatio = "win_loss_ratio"
        case medianTrade = "median_trade", largestWin = "largest_win", largestLoss = "largest_loss"
        case sharpe, sortino, maxDrawdown = "max_drawdown", maxDrawdownPercent = "max_drawdown_pct"
        case pnlToDrawdown = "pnl_to_drawdown", sqn, averageHoldBars = "avg_hold_bars"
        case averageHoldMinutes = "avg_hold_minutes", exposure
    }
}

/// What the metrics are computed from.
struct MetricInputs {
    /// Net PnL (after commission) of each trade in the order they closed, USD.
    let tradePnL: [Double]
    let tradeCommission: [Double]
    let tradeSlippage: [Double]
    let tradeHoldBars: [Int]
    /// Net PnL of every session day tested, including days without trades, USD.
    let dailyPnL: [Double]
    let startingEquity: Double
    let barsTested: Int
    let barMinutes: Double
    /// The simulator's drawdown with open positions marked to market; when nil, the
    /// drawdown of closed-trade equity is used.
    var markedDrawdown: Double? = nil
}

extension Metrics {
    init(_ input: MetricInputs) {
        self.init()
        let pnl = input.tradePnL
        let n = pnl.count
        totalTrades = n

        // Net profit: sum of trade PnL after commission (slippage is already in the fill prices).
        netProfit = pnl.reduce(0, +)
        // Costs, for the record: commission charged, and slippage valued at tick value.
        totalCommission = input.tradeCommission.reduce(0, +)
        totalSlippage = input.tradeSlippage.reduce(0, +)
        // Return on the starting equity, in percent.
        returnPercent = safeRatio(netProfit, input.startingEquity) * 100

        // Wins are trades with net PnL > 0, losses < 0; a trade of exactly 0 is neither.
        let wins = pnl.filter { $0 > 0 }
        let losses = pnl.filter { $0 < 0 }
        winningTrades = wins.count
        losingTrades = losses.count
        grossProfit = wins.reduce(0, +)
        grossLoss = -losses.reduce(0, +)
        // Win rate: winning trades / all trades (0 with no trades), as a fraction.
        winRate = safeRatio(Double(wins.count), Double(n))

        // Profit factor: gross profit / gross loss; 10 when there are no losses but
        // some profit, 0 when there is no profit (DESIGN.md §6).
        profitFactor = ratioWithCeiling(grossProfit, grossLoss)

        // Expectancy: mean net PnL per trade, USD.
        expectancy = safeRatio(netProfit, Double(n))
        averageWin = safeRatio(grossProfit, Double(wins.count))
        averageLoss = -safeRatio(grossLoss, Double(losses.count))
        // Win/loss ratio: average win / |average loss|, with the profit-factor fallbacks.
        winLossRatio = ratioWithCeiling(averageWin, -averageLoss)
        largestWin = wins.max() ?? 0
        largestLoss = losses.min() ?? 0

        // Median trade: middle net PnL, or the mean of the middle two.
        medianTrade = median(pnl)

        // SQN (Van Tharp): √N · mean / sample standard deviation of trade PnL; 0 for N < 2
        // or zero deviation.
        if n >= 2 {
            let sd = sampleStandardDeviation(pnl)
            sqn = sd > 0 ? Double(n).squareRoot() * expectancy / sd : 0
        }

        // Daily returns are day PnL / starting equity: futures accounts are not
        // compounded, and a fixed base keeps a losing streak from dividing by ~0.
        let returns = input.dailyPnL.map { safeRatio($0, input.startingEquity) }
        // Sharpe: mean / sample sd of daily returns × √252; 0 with < 2 days or zero sd.
        // Sortino: mean / downside deviation × √252, downside deviation =
        // √(Σ min(r, 0)² / days); 0 with < 2 days or no losing day.
        if returns.count >= 2 {
            let mean = returns.reduce(0, +) / Double(returns.count)
            let sd = sampleStandardDeviation(returns)
            sharpe = sd > 0 ? mean / sd * 252.0.squareRoot() : 0
            let downside = (returns.reduce(0) { $0 + min($1, 0) * min($1, 0) } / Double(returns.count)).squareRoot()
            sortino = downside > 0 ? mean / downside * 252.0.squareRoot() : 0
        }

        // Max drawdown: largest fall of equity from its running peak (the peak starts at
        // the starting equity), USD and % of the starting equity. Equity is marked to
        // market at every bar close while a position is open (the simulator tracks it) and
        // counted after every closed trade; it is never smaller than the closed-trade one.
        var equity = input.startingEquity
        var peak = equity
        for value in pnl {
            equity += value
            peak = max(peak, equity)
            maxDrawdown = max(maxDrawdown, peak - equity)
        }
        if let marked = input.markedDrawdown {
            maxDrawdown = max(maxDrawdown, marked)
        }
        maxDrawdownPercent = safeRatio(maxDrawdown, input.startingEquity) * 100
        // PnL to drawdown: net profit / max drawdown; 10 without a drawdown when net
        // profit is positive, 0 otherwise (mirrors the profit-factor rule).
        pnlToDrawdown = maxDrawdown > 0 ? netProfit / maxDrawdown : (netProfit > 0 ? 10 : 0)

        // Hold: bars from the entry bar to the exit bar inclusive; minutes = bars × bar width.
        let holdBars = input.tradeHoldBars.reduce(0, +)
        averageHoldBars = safeRatio(Double(holdBars), Double(n))
        averageHoldMinutes = averageHoldBars * input.barMinutes
        // Exposure: fraction of the bars tested during which a position was held.
        exposure = safeRatio(Double(holdBars), Double(input.barsTested))

        roundMoneyToCents()
        sanitize()
    }

    /// USD amounts are reported to the cent; sums of cents otherwise show binary noise
    /// (142.22000000000003). Ratios keep full precision.
    private mutating func roundMoneyToCents() {
        let paths: [WritableKeyPath<Metrics, Double>] = [
            \.netProfit, \.grossProfit, \.grossLoss, \.totalCommission, \.totalSlippage, \.expectancy,
            \.averageWin, \.averageLoss, \.medianTrade, \.largestWin, \.largestLoss, \.maxDrawdown,
        ]
        for path in paths {
            self[keyPath: path] = cents(self[keyPath: path])
        }
    }

    /// The last step before the metrics leave the engine: every value goes through
    /// `finiteOrZero` (never NaN or inf, never -0).
    private mutating func sanitize() {
        let paths: [WritableKeyPath<Metrics, Double>] = [
            \.netProfit, \.grossProfit, \.grossLoss, \.totalCommission, \.totalSlippage, \.returnPercent,
            \.winRate, \.profitFactor, \.expectancy, \.averageWin, \.averageLoss, \.winLossRatio,
            \.medianTrade, \.largestWin, \.largestLoss, \.sharpe, \.sortino, \.maxDrawdown,
            \.maxDrawdownPercent, \.pnlToDrawdown, \.sqn, \.averageHoldBars, \.averageHoldMinutes, \.exposure,
        ]
        for path in paths {
            self[keyPath: path] = finiteOrZero(self[keyPath: path])
        }
    }
}

/// A number fit to leave the engine: NaN and ±inf become 0 (belt and braces for
/// "never NaN or inf"), and so does -0.0, which JSON would print as `-0` (a negated
/// empty sum, e.g. the gross loss of a run without losing trades).
func finiteOrZero(_ value: Double) -> Double {
    value.isFinite && value != 0 ? value : 0
}

/// Nearest cent.
func cents(_ usd: Double) -> Double {
    (usd * 100).rounded() / 100
}

/// a / b, or 0 when b is 0.
func safeRatio(_ a: Double, _ b: Double) -> Double {
    b != 0 ? a / b : 0
}

/// a / b for non-negative a and b; 10 when b is 0 and a > 0; 0 when a is 0.
func ratioWithCeiling(_ a: Double, _ b: Double) -> Double {
    if a <= 0 { return 0 }
    return b > 0 ? a / b : 10
}

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// Standard deviation with the n - 1 denominator; 0 for fewer than two values.
func sampleStandardDeviation(_ values: [Double]) -> Double {
    guard values.count >= 2 else { return 0 }
    let mean = values.reduce(0, +) / Double(values.count)
    let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return (squares / Double(values.count - 1)).squareRoot()
}
