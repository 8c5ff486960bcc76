import Foundation

/// `summary.html` of a paper run, for a person: the report's figures, the equity curve
/// (inline SVG, no scripts or CDN) and the trades. Written beside final_report.json.
enum RunSummary {
    struct Trade {
        let time: String
        let side: String
        let price: Double
        let realized: Double?
    }

    static func html(report: [String: Any], equity: [(time: String, equity: Double)], fills: [Trade]) -> String {
        let figures = report.keys.sorted().filter { !($0 == "errors") }.map { key in
            "<tr><th>\(escape(key))</th><td>\(escape("\(report[key]!)"))</td></tr>"
        }.joined(separator: "\n")
        let rows = fills.map { fill in
            "<tr><td>\(escape(fill.time))</td><td>\(fill.side)</td><td>\(fill.price)</td><td>\(fill.realized.map { String(format: "%.2f", $0) } ?? "")</td></tr>"
        }.joined(separator: "\n")
        let errors = (report["errors"] as? [String] ?? []).map { "<li>\(escape($0))</li>" }.joined()
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Paper run \(escape("\(report["run_id"] ?? "")"))</title>
            <style>body{font:14px system-ui,sans-serif;margin:24px;color:#1c2430}table{border-collapse:collapse;margin:12px 0}
            th,td{border-bottom:1px solid #e3e6ec;padding:4px 10px;text-align:left}th{color:#5b6474;font-weight:500}</style>
            </head><body>
            <h1>Paper run — \(escape("\(report["bot"] ?? "")"))</h1>
            <h2>Equity</h2>
            \(chart(equity))
            <h2>Figures</h2>
            <table>\(figures)</table>
            <h2>Fills</h2>
            <table><tr><th>time</th><th>side</th><th>price</th><th>realised PnL</th></tr>
            \(rows)</table>
            \(errors.isEmpty ? "" : "<h2>Errors</h2><ul>\(errors)</ul>")
            </body></html>
            """
    }

    /// The equity samples as a polyline, scaled to 720 × 200.
    static func chart(_ samples: [(time: String, equity: Double)]) -> String {
        guard samples.count >= 2, let low = samples.map(\.equity).min(), let high = samples.map(\.equity).max() else {
            return "<p>Too few equity samples for a chart.</p>"
        }
        let span = max(high - low, 0.01)
        let points = samples.enumerated().map { i, sample in
            String(format: "%.1f,%.1f", Double(i) / Double(samples.count - 1) * 720, 200 - (sample.equity - low) / span * 200)
        }.joined(separator: " ")
        return """
            <svg viewBox="-4 -4 728 208" width="728" height="208" role="img" aria-label="equity from \(low) to \(high)">
            <polyline fill="none" stroke="#2f6fed" stroke-width="2" points="\(points)"/></svg>
            <p>\(escape(samples.first!.time)) → \(escape(samples.last!.time)): low \(String(format: "%.2f", low)), high \(String(format: "%.2f", high))</p>
            """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
