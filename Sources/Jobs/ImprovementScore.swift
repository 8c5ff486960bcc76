import Backtest

/// How one parameter set did on one window, and the rule an improvement is adopted
/// by (docs/autonomy.md, "Improvement iterations"): a candidate beats the current
/// parameters when its net PnL after costs is higher, and on equal PnL (to the
/// cent) when its Sharpe is higher. Equal on both is not better: a change has to
/// earn its place.
public struct ImprovementScore: Sendable, Equatable, Encodable {
    /// Realized PnL after commission and slippage, USD.
    public let netPnL: Double
    public let sharpe: Double
    public let trades: Int
    public let maxDrawdownUSD: Double
    public let paramsHash: String

    public init(_ result: BacktestResult) {
        self.init(result.metrics, paramsHash: result.provenance.paramsHash)
    }

    public init(_ metrics: Metrics, paramsHash: String) {
        netPnL = metrics.netProfit
        sharpe = metrics.sharpe
        trades = metrics.totalTrades
        maxDrawdownUSD = metrics.maxDrawdown
        self.paramsHash = paramsHash
    }

    public init(netPnL: Double, sharpe: Double, trades: Int = 0, maxDrawdownUSD: Double = 0, paramsHash: String = "") {
        self.netPnL = netPnL
        self.sharpe = sharpe
        self.trades = trades
        self.maxDrawdownUSD = maxDrawdownUSD
        self.paramsHash = paramsHash
    }

    public func beats(_ other: ImprovementScore) -> Bool {
        let mine = (netPnL * 100).rounded(), theirs = (other.netPnL * 100).rounded()
        if mine != theirs { return mine > theirs }
        return sharpe > other.sharpe
    }

    enum CodingKeys: String, CodingKey {
        case netPnL = "net_pnl", sharpe, trades, maxDrawdownUSD = "max_drawdown_usd", paramsHash = "params_hash"
    }
}
