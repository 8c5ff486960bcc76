import Foundation

/// How `gauntlet nullmodel` prints a `NullModelStudy.Report`: a Markdown table per
/// archetype and a summary, or JSON.
enum NullModelReport {
    static func markdown(_ report: NullModelStudy.Report) -> String {
        let config = report.configuration
        let centreName = config.centre == .zero ? "0" : "the bootstrap centre"
        var lines = [
            "| archetype | family | mean gross Sharpe | SE | z | bootstrap centre | trades/run | gross ticks/trade | PnL z | daily skew | verdict |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for row in report.rows {
            lines.append("| \(row.slug) | \(row.family.rawValue) | \(f(row.meanSharpe, 3)) | \(f(row.standardError, 3)) | "
                + "\(f(row.z, 2)) | \(f(row.bootstrapCentre, 3)) | \(f(row.meanTrades, 1)) | \(f(row.grossTicksPerTrade, 2)) | "
                + "\(f(row.pnlZ, 2)) | \(f(row.dailySkewness, 2)) | \(row.failure.map { "FAIL \($0)" } ?? "ok") |")
        }
        let failed = report.rows.filter { $0.failure != nil }
        let outside = failed.filter { $0.failure == "SHARPE_OUTSIDE_TOLERANCE" }.map(\.slug)
        let idle = failed.filter { $0.failure == "NO_TRADES" }.map(\.slug)
        lines.append("")
        var verdict = report.passed ? "PASS" : "FAIL"
        verdict += " — \(outside.count) of \(report.rows.count) archetypes outside ±\(f(config.tolerance, 2)) of \(centreName)"
        if !outside.isEmpty { verdict += " (\(outside.joined(separator: ", ")))" }
        verdict += idle.isEmpty ? "; every archetype trades" : "; never trading: \(idle.joined(separator: ", "))"
        lines.append("null model: \(verdict).")
        lines.append("Sampling noise alone would put about \(String(format: "%.2g", report.expectedChanceFailures)) of \(report.rows.count) outside "
            + "±\(f(config.tolerance, 2)) at these standard errors. z = (mean − centre) / SE; PnL z = mean gross PnL per run / its SE.")
        let windows = report.windows.values.map { "\($0.firstTradeDate) … \(config.end)" }
        let span = Set(windows).sorted().joined(separator: "; ")
        lines.append("\(report.rows.count) archetypes × \(config.seeds.count) seeds (\(config.seeds.lowerBound)…"
            + "\(config.seeds.upperBound - 1)) × \(config.sessions) sessions (\(span)), default parameters, zero costs; "
            + "elapsed \(f(report.elapsedSeconds, 1)) s")
        return lines.joined(separator: "\n")
    }

    static func json(_ report: NullModelStudy.Report) throws -> Data {
        let config = report.configuration
        let rows: [[String: Any]] = report.rows.map { row in
            [
                "archetype": row.slug, "family": row.family.rawValue, "instrument": row.instrument,
                "timeframe": row.timeframe.rawValue, "runs": row.runs, "mean_sharpe": row.meanSharpe,
                "sharpe_sd": row.sharpeSD, "standard_error": row.standardError, "z": row.z, "centre": row.centre,
                "bootstrap_centre": row.bootstrapCentre, "mean_trades": row.meanTrades,
                "gross_ticks_per_trade": row.grossTicksPerTrade, "gross_pnl_per_trade": row.grossPnLPerTrade,
                "pnl_z": row.pnlZ,
                "daily_skewness": row.dailySkewness, "sharpes": row.sharpes, "passed": row.failure == nil,
                "failure": row.failure ?? NSNull(),
            ]
        }
        let root: [String: Any] = [
            "seeds": ["first": Int(config.seeds.lowerBound), "count": config.seeds.count],
            "sessions": config.sessions, "end": config.end.description, "tolerance": config.tolerance,
            "centre": config.centre.rawValue, "costs": "zero", "passed": report.passed,
            "expected_chance_failures": report.expectedChanceFailures, "elapsed_seconds": report.elapsedSeconds,
            "windows": report.windows.mapValues { ["first_trade_date": $0.firstTradeDate, "last_trade_date": config.end.description] },
            "archetypes": rows,
        ]
        return try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    private static func f(_ x: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", x)
    }
}
