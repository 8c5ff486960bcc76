import ArgumentParser
import Backtest
import Foundation
import Jobs
import Market
import MarketData

/// `gauntlet data-sources`: for each instrument, the provider the configured chain
/// would serve it from (`ProviderChain.route(for:)`), the span of real bars it holds
/// when that is known, and a plain SYNTHETIC where bars would be generated.
/// `scripts/up` runs it with the stack's environment.
struct DataSourcesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-sources",
        abstract: "Show which market-data provider serves each instrument, and which fall back to synthetic bars.",
        discussion: """
            Reads the same variables as the worker (DATABENTO_API_KEY, POLYGON_API_KEY, \
            GAUNTLET_DATA_DIR, GAUNTLET_DATA_PROVIDERS, …; see docs/market-data.md) and prints, per \
            instrument of the starter pack (--all: the whole catalogue), the provider(s) tried in \
            order, the first bar's start and the last bar's end where a file holds them, and where \
            baselines end (the last bar, when that is before now). Reads bar files; makes no API calls.
            """)

    @Flag(help: "Every instrument in the catalogue, not only those the starter pack trades.")
    var all = false

    func run() throws {
        let chain = BarSources.chain(environment: ProcessInfo.processInfo.environment)
        let bots = Dictionary(grouping: Archetypes.all, by: \.instrument).mapValues(\.count)
        let now = Date()
        print("market data providers: \(chain.provider)")
        for file in chain.members.compactMap({ $0 as? FileBarSource }) {
            print("  bar files: \(URL(fileURLWithPath: file.path).standardizedFileURL.path)")
        }
        for note in chain.notes { print("  note: \(note)") }
        let rows = Instruments.all.filter { all || bots[$0.symbol] != nil }.map { instrument in
            let count = bots[instrument.symbol] ?? 0
            let route = chain.route(for: instrument)
            let names = route.map(\.provider)
            return (symbol: instrument.symbol, bots: "\(count) bot\(count == 1 ? "" : "s")",
                    label: names == ["synthetic"] ? "SYNTHETIC" : names.joined(separator: ","),
                    detail: detail(route, instrument, chain: chain, now: now))
        }
        let width = rows.map(\.label.count).max() ?? 0
        for row in rows {
            print("  \(pad(row.symbol, 4)) \(pad(row.bots, 7)) \(pad(row.label, width))  \(row.detail)")
        }
    }

    private func detail(_ route: [any BarSource], _ instrument: Instrument, chain: ProviderChain, now: Date) -> String {
        guard let first = route.first else { return "no provider" }
        if first.provider == "synthetic" {
            let why = chain.members.contains { $0 is FileBarSource } ? " (no bar file names \(instrument.symbol))" : ""
            return "generated bars, labelled synthetic, never real evidence\(why)"
        }
        if let coverage = chain.coverage(for: instrument) {
            let end = BacktestWindow.end(of: chain, for: instrument, now: now)
            let baselines = end < now ? "baselines end at the last bar" : "baselines end now"
            return "real bars \(isoUTC(coverage.lowerBound)) … \(isoUTC(coverage.upperBound)); \(baselines)"
        }
        if let file = first as? FileBarSource {
            if !FileManager.default.fileExists(atPath: file.path) {
                return "no file or directory at \(file.path): its backtests fail with FILE_NOT_FOUND"
            }
            if !file.covers(instrument) { return "no bar file names \(instrument.symbol): its backtests fail with NO_DATA" }
            return "bars unreadable or empty: its backtests fail and say why"
        }
        return "fetched on demand"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
}
