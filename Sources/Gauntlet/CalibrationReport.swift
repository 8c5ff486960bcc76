import Foundation
import Jobs
import Market
import MarketData

/// What `gauntlet calibrate` prints: each statistic for the real bars, the mean and
/// spread over the synthetic seeds, and the real figures without FOMC afternoons for
/// the two statistics those afternoons move most.
struct CalibrationReport {
    /// One row of the table: a `ReturnStatistics` figure, how to show it.
    struct Figure: Sendable {
        let key: String
        let label: String
        let value: @Sendable (ReturnStatistics) -> Double?
        /// Shown as value × scale with `digits` decimals.
        let scale: Double
        let digits: Int

        func text(_ x: Double?) -> String {
            x.map { String(format: "%.\(digits)f", $0 * scale) } ?? "—"
        }
    }

    static let figures: [Figure] = [
        Figure(key: "annualized_volatility", label: "annualised vol of 1-min returns, % (√(252·1380) scaling)",
               value: \.annualizedVolatility, scale: 100, digits: 1),
        Figure(key: "open_volatility_ratio", label: "sd ratio: first 30 min of RTH / session",
               value: \.openVolatilityRatio, scale: 1, digits: 2),
        Figure(key: "midday_volatility_ratio", label: "sd ratio: midday (11:30–13:30 ET) / session",
               value: \.middayVolatilityRatio, scale: 1, digits: 2),
        Figure(key: "close_volatility_ratio", label: "sd ratio: last 30 min of RTH / session",
               value: \.closeVolatilityRatio, scale: 1, digits: 2),
        Figure(key: "overnight_volatility_ratio", label: "sd ratio: overnight / session",
               value: \.overnightVolatilityRatio, scale: 1, digits: 2),
        Figure(key: "excess_kurtosis", label: "excess kurtosis of 1-min returns",
               value: \.excessKurtosis, scale: 1, digits: 1),
        Figure(key: "autocorrelation", label: "lag-1 autocorrelation of returns",
               value: \.autocorrelation, scale: 1, digits: 3),
        Figure(key: "absolute_autocorrelation", label: "lag-1 autocorrelation of |returns|",
               value: \.absoluteAutocorrelation, scale: 1, digits: 3),
        Figure(key: "regular_to_overnight_volume", label: "volume per minute: RTH / overnight",
               value: \.regularToOvernightVolume, scale: 1, digits: 1),
        Figure(key: "mean_absolute_gap_bps", label: "mean |session-open gap|, bp",
               value: \.meanAbsoluteGapBps, scale: 1, digits: 1),
        Figure(key: "session_return_sd_pct", label: "sd of session open-to-close return, %",
               value: \.sessionReturnSDPercent, scale: 1, digits: 2),
    ]

    let symbol: String
    let realPath: String
    let realBars: BarSeries
    let real: ReturnStatistics
    let realExFOMC: ReturnStatistics?
    let fomcDates: [String]
    let synthetic: [ReturnStatistics]
    let seeds: Range<UInt64>
    let syntheticWindow: BacktestWindow
    let syntheticEnd: String
    let syntheticSessions: Int

    /// Mean and sample SD over the seeds that define the figure (nil SD for one seed).
    func acrossSeeds(_ figure: Figure) -> (mean: Double?, sd: Double?) {
        let values = synthetic.compactMap(figure.value)
        guard !values.isEmpty else { return (nil, nil) }
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count >= 2 else { return (mean, nil) }
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
        return (mean, sd)
    }

    /// The two figures FOMC afternoons move most (relative change of the real value).
    var mostMovedByFOMC: [Figure] {
        guard let ex = realExFOMC else { return [] }
        let moved = Self.figures.compactMap { f -> (Figure, Double)? in
            guard let a = f.value(real), let b = f.value(ex), a != 0 else { return nil }
            return (f, abs(b - a) / abs(a))
        }
        return moved.sorted { $0.1 > $1.1 }.prefix(2).map(\.0)
    }

    func markdown() -> String {
        var lines = [
            "| statistic | real \(symbol) | synthetic \(symbol) (mean of \(synthetic.count) seeds) | synthetic sd across seeds |",
            "|---|---:|---:|---:|",
        ]
        for f in Self.figures {
            let (mean, sd) = acrossSeeds(f)
            lines.append("| \(f.label) | \(f.text(f.value(real))) | \(f.text(mean)) | \(f.text(sd)) |")
        }
        if let ex = realExFOMC {
            for f in mostMovedByFOMC {
                let (mean, sd) = acrossSeeds(f)
                lines.append("| \(f.label), without FOMC afternoons | \(f.text(f.value(ex))) | \(f.text(mean)) | \(f.text(sd)) |")
            }
        }
        let first = isoUTC(realBars.timestamps[0]), last = isoUTC(realBars.timestamps[realBars.count - 1])
        lines.append("")
        lines.append("real: \(realPath), \(first) … \(last): \(real.sessions) sessions with bars (\(real.wholeSessions) whole), "
            + "\(real.returns) returns (\(real.skippedReturns) skipped across missing minutes), \(real.gaps) gaps")
        if !fomcDates.isEmpty {
            lines.append("FOMC afternoons in the real span: \(fomcDates.joined(separator: ", ")) (14:00 ET to the regular close)")
        }
        let returns = synthetic.map(\.returns).reduce(0, +)
        lines.append("synthetic: seeds \(seeds.lowerBound)…\(seeds.upperBound - 1), each \(syntheticSessions) sessions "
            + "\(syntheticWindow.firstTradeDate) … \(syntheticEnd), \(returns) returns in all")
        return lines.joined(separator: "\n")
    }

    func jsonData() throws -> Data {
        func object(_ s: ReturnStatistics) -> [String: Any] {
            var o: [String: Any] = [
                "returns": s.returns, "sessions": s.sessions, "whole_sessions": s.wholeSessions, "gaps": s.gaps,
                "skipped_returns": s.skippedReturns,
            ]
            for f in Self.figures { o[f.key] = f.value(s) ?? NSNull() }
            return o
        }
        var mean: [String: Any] = [:], sd: [String: Any] = [:]
        for f in Self.figures {
            let (m, s) = acrossSeeds(f)
            mean[f.key] = m ?? NSNull()
            sd[f.key] = s ?? NSNull()
        }
        let root: [String: Any] = [
            "instrument": symbol,
            "real": [
                "path": realPath, "first_bar": isoUTC(realBars.timestamps[0]),
                "last_bar": isoUTC(realBars.timestamps[realBars.count - 1]), "statistics": object(real),
                "fomc_dates": fomcDates,
                "statistics_without_fomc_afternoons": realExFOMC.map(object) ?? NSNull(),
            ] as [String: Any],
            "synthetic": [
                "seeds": Array(seeds).map { Int($0) }, "sessions_per_seed": syntheticSessions,
                "first_trade_date": syntheticWindow.firstTradeDate, "last_trade_date": syntheticEnd,
                "mean": mean, "sd_across_seeds": sd, "per_seed": synthetic.map(object),
            ] as [String: Any],
        ]
        return try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
