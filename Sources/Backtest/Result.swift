import Foundation
import Market

/// The engine's version, recorded with every result. Bump it when fills, costs or
/// metrics change, so old and new results are never compared unknowingly.
public let engineVersion = "gauntlet-engine/1.0.0"

/// One closed trade. Times are UTC bar-start stamps of the bars in which the entry
/// and the exit filled; prices are tick-exact fills including slippage.
public struct Trade: Sendable, Codable, Equatable {
    public let entryTime: String
    public let exitTime: String
    public let side: Side
    public let contracts: Int
    public let entryPrice: Double
    public let exitPrice: Double
    public let exitReason: ExitReason
    /// The rule that admitted the trade, in words with its numbers
    /// ("breakout: close 5012.50 > range high 5012.25").
    public let entryReason: String
    /// Bars from the entry bar to the exit bar inclusive.
    public let holdBars: Int
    /// USD from the fill prices, before commission.
    public let grossPnL: Double
    public let commission: Double
    /// Slippage paid, valued at tick value (already inside the fill prices).
    public let slippage: Double
    /// USD after commission: `grossPnL - commission`.
    public let pnl: Double

    enum CodingKeys: String, CodingKey {
        case entryTime = "entry_time", exitTime = "exit_time", side, contracts
        case entryPrice = "entry_price", exitPrice = "exit_price", exitReason = "exit_reason"
        case entryReason = "entry_reason"
        case holdBars = "hold_bars", grossPnL = "gross_pnl", commission, slippage, pnl
    }
}

/// Closed-trade equity after a trade (or the starting equity at the first bar).
public struct EquityPoint: Sendable, Codable, Equatable {
    public let time: String
    public let equity: Double
}

/// Net PnL of one session day tested (a day whose trading window holds bars).
public struct DailyResult: Sendable, Codable, Equatable {
    public let date: String
    public let pnl: Double
    public let trades: Int
}

/// Everything needed to check a result: what was traded, on which bars from where,
/// with which parameters and costs, by which engine.
public struct Provenance: Sendable, Codable, Equatable {
    public let instrument: String
    public let instrumentName: String
    public let tickSize: Double
    public let multiplier: Double
    public let tickValue: Double
    public let currency: String
    public let timeframe: Timeframe
    /// The window asked for ("YYYY-MM-DD", `to` exclusive), or the bars' own span.
    public let windowFrom: String
    public let windowTo: String
    public let firstBar: String
    public let lastBar: String
    public let barsTested: Int
    public let sessionsTested: Int
    /// Where the bars came from: "synthetic", "file", "databento", "polygon" (as given).
    public let dataSource: String
    public let barFingerprint: String
    public let archetype: String
    public let family: Family
    public let params: ParamValues
    public let paramsHash: String
    public let costs: CostModel
    public let startingEquity: Double
    /// The trading window, e.g. "rth 08:30-15:00 America/Chicago".
    public let sessionWindow: String
    public let engineVersion: String

    enum CodingKeys: String, CodingKey {
        case instrument, instrumentName = "instrument_name", tickSize = "tick_size", multiplier
        case tickValue = "tick_value", currency, timeframe, windowFrom = "window_from", windowTo = "window_to"
        case firstBar = "first_bar", lastBar = "last_bar", barsTested = "bars_tested"
        case sessionsTested = "sessions_tested", dataSource = "data_source", barFingerprint = "bar_fingerprint"
        case archetype, family, params, paramsHash = "params_hash", costs, startingEquity = "starting_equity"
        case sessionWindow = "session_window", engineVersion = "engine_version"
    }
}

/// The outcome of one backtest. Encoding is deterministic: the same request gives
/// byte-identical JSON (`jsonData()` sorts keys; nothing time- or machine-dependent
/// is inside — the caller measures and records timings).
public struct BacktestResult: Sendable, Codable, Equatable {
    public let metrics: Metrics
    public let trades: [Trade]
    /// At most `EquityCurve.maxPoints` points, thinned deterministically.
    public let equityCurve: [EquityPoint]
    public let daily: [DailyResult]
    public let provenance: Provenance
    /// Walk-forward runs only (`WalkForward.run`): the result above is then the
    /// out-of-sample aggregate, and this holds the folds, the bootstrap intervals
    /// and the deflated Sharpe ratio. Absent from the JSON of a single-window run.
    public private(set) var evidence: WalkForwardEvidence?

    init(metrics: Metrics, trades: [Trade], equityCurve: [EquityPoint], daily: [DailyResult], provenance: Provenance) {
        self.metrics = metrics
        self.trades = trades
        self.equityCurve = equityCurve
        self.daily = daily
        self.provenance = provenance
    }

    func with(evidence: WalkForwardEvidence) -> BacktestResult {
        var copy = self
        copy.evidence = evidence
        return copy
    }

    enum CodingKeys: String, CodingKey {
        case metrics, trades, equityCurve = "equity_curve", daily, provenance, evidence
    }

    /// Canonical JSON (sorted keys, no whitespace).
    public func jsonData() throws -> Data {
        try CanonicalJSON.data(self)
    }

    public static func decode(_ data: Data) throws -> BacktestResult {
        try JSONDecoder().decode(BacktestResult.self, from: data)
    }
}

public enum EquityCurve {
    public static let maxPoints = 500

    /// Keeps the first and last points and evenly spaced ones between
    /// (index round(k·(n-1)/(max-1))), so the same curve always thins the same way.
    public static func thin(_ points: [EquityPoint], to maxPoints: Int = maxPoints) -> [EquityPoint] {
        guard points.count > maxPoints, maxPoints >= 2 else { return points }
        let last = points.count - 1
        return (0..<maxPoints).map { k in
            points[Int((Double(k) * Double(last) / Double(maxPoints - 1)).rounded())]
        }
    }
}
