import ArgumentParser
import Backtest
import Foundation
import Market
import MarketData

/// `gauntlet backtest`: one backtest from the command line. Bars come from the
/// MarketData providers; the result is a readable summary, or the full result JSON
/// (canonical, byte-identical for identical inputs) with `--json`. Progress goes to stderr.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Run one backtest of a starter archetype on real or synthetic bars.",
        discussion: """
            Bars: --source synthetic[:SEED] | file:PATH | databento | polygon | auto (the configured \
            chain: DATABENTO_API_KEY, POLYGON_API_KEY, GAUNTLET_DATA_DIR; synthetic when none is set). \
            --from/--to are trade dates (YYYY-MM-DD, --to exclusive) aligned to whole sessions. \
            By default the window is walk-forward research (--folds 4): the printed metrics are the \
            out-of-sample aggregate, with folds, bootstrap intervals and the deflated Sharpe ratio. \
            Rules: docs/archetypes.md and docs/backtest-assumptions.md.
            """)

    @Option(help: "Archetype slug (see --list).")
    var archetype: String?

    @Flag(help: "List the starter archetypes and exit.")
    var list = false

    @Option(help: "Futures symbol (ES, MNQ, …) or equity:TICKER; default: the archetype's.")
    var instrument: String?

    @Option(help: "Bar source: synthetic[:SEED], file:PATH, databento, polygon or auto.")
    var source = "auto"

    @Option(help: "First trade date, YYYY-MM-DD (default: 90 days before --to).")
    var from: String?

    @Option(help: "Trade date to stop before, YYYY-MM-DD (default: today, UTC).")
    var to: String?

    @Option(help: "Bar width: 1m, 5m, 15m or 1h (default: the archetype's).")
    var timeframe: String?

    @Option(help: "Parameters as a JSON object overriding the archetype's defaults.")
    var params: String?

    @Option(help: "Slippage per fill in ticks (default 1).")
    var slippageTicks: Int?

    @Option(help: "Commission per contract per side in USD (default: the instrument's).")
    var commission: Double?

    @Option(help: "Starting equity in USD.")
    var equity = 50_000.0

    @Option(help: "Walk-forward test folds (the sessions are cut into folds + 1 blocks; 0 = one plain window).")
    var folds = 4

    @Option(help: "Walk-forward mode: anchored or rolling in-sample spans.")
    var mode = WalkForwardSpec.Mode.anchored

    @Option(help: "Configurations tried so far (for the deflated Sharpe ratio).")
    var trials = 1

    @Option(help: "Bootstrap resamples for the 95 % intervals.")
    var resamples = 2000

    @Flag(help: "Print the full result as JSON.")
    var json = false

    func run() throws {
        if list {
            for a in Archetypes.all {
                print("\(a.slug.padding(toLength: 26, withPad: " ", startingAt: 0)) "
                    + "\(a.family.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)) "
                    + "\(a.instrument.padding(toLength: 4, withPad: " ", startingAt: 0)) \(a.timeframe.rawValue)  \(a.name)")
            }
            return
        }
        guard let slug = archetype else { throw ValidationError("--archetype is required (see --list)") }
        guard let archetype = Archetypes.named(slug) else {
            throw ValidationError("unknown archetype \(slug); one of: "
                + Archetypes.all.map(\.slug).joined(separator: ", "))
        }
        let spec = try resolveInstrument(instrument ?? archetype.instrument)
        let width = try resolveTimeframe(timeframe) ?? archetype.timeframe
        let (fromDate, toDate) = try resolveWindow()
        let parameters: ParamValues
        do {
            parameters = try archetype.params(fromJSON: params)
        } catch {
            throw CommandFailure(code: error.code.rawValue, message: error.message,
                                 suggestedFix: "see the bounds of \(archetype.slug) in docs/archetypes.md")
        }

        // Whole sessions: from the open of the first trade date to the open of `to`.
        let session = spec.session
        let start = firstOpen(session, onOrAfter: fromDate)
        let end = firstOpen(session, onOrAfter: toDate)
        guard start < end else { throw ValidationError("--from must be before --to") }

        let clock = DispatchTime.now().uptimeNanoseconds
        progress("fetching \(spec.symbol) \(width.rawValue) bars \(fromDate)…\(toDate) from \(source)")
        let fetch: BarFetch
        do throws(MarketDataError) {
            let provider = try BarSources.make(spec: source, environment: ProcessInfo.processInfo.environment)
            fetch = try provider.fetchBars(BarRequest(
                instrument: spec, timeframe: width, from: Date(timeIntervalSince1970: Double(start)),
                to: Date(timeIntervalSince1970: Double(end))))
        } catch {
            throw CommandFailure(code: error.code, message: error.message, suggestedFix: error.suggestedFix)
        }
        var bars = fetch.bars
        if bars.timeframe != width {
            do {
                bars = try bars.resampled(to: width, session: session)
            } catch {
                throw CommandFailure(code: "TIMEFRAME_MISMATCH", message: error.description, suggestedFix: nil)
            }
        }
        let fetched = DispatchTime.now().uptimeNanoseconds
        progress("\(bars.count) bars from \(fetch.source) in \((fetched - clock) / 1_000_000) ms; running \(archetype.slug)")

        let defaults = CostModel.standard(for: spec)
        let costs = CostModel(commissionPerSide: commission ?? defaults.commissionPerSide,
                              slippageTicks: slippageTicks ?? defaults.slippageTicks)
        let result: BacktestResult
        do {
            let request = BacktestRequest(
                archetype: archetype, params: parameters, instrument: spec, bars: bars, dataSource: fetch.source,
                costs: costs, startingEquity: equity, windowFrom: fromDate.description, windowTo: toDate.description)
            result = folds == 0 ? try Backtester.run(request)
                : try WalkForward.run(request, spec: WalkForwardSpec(folds: folds, mode: mode, trials: trials,
                                                                     resamples: resamples))
        } catch {
            throw CommandFailure(code: error.code, message: error.message, suggestedFix: error.suggestedFix)
        }
        progress("done in \((DispatchTime.now().uptimeNanoseconds - fetched) / 1_000_000) ms")

        if json {
            let data = try result.jsonData()
            FileHandle.standardOutput.write(data)
            FileHandle.standardOutput.write(Data("\n".utf8))
        } else {
            print(summary(result, archetype: archetype))
        }
    }

    // MARK: - Arguments

    private func resolveInstrument(_ text: String) throws -> Instrument {
        if text.lowercased().hasPrefix("equity:") {
            let ticker = String(text.dropFirst("equity:".count))
            guard !ticker.isEmpty else { throw ValidationError("equity:TICKER needs a ticker") }
            return Instruments.equity(ticker)
        }
        guard let spec = Instruments.spec(text) else {
            throw ValidationError("unknown instrument \(text); one of: "
                + Instruments.all.map(\.symbol).joined(separator: ", ") + ", or equity:TICKER")
        }
        return spec
    }

    private func resolveTimeframe(_ text: String?) throws -> Timeframe? {
        guard let text else { return nil }
        guard let width = Timeframe(rawValue: text) else {
            throw ValidationError("unknown timeframe \(text); one of: 1m, 5m, 15m, 1h")
        }
        return width
    }

    private func resolveWindow() throws -> (CivilDate, CivilDate) {
        func parse(_ text: String, _ flag: String) throws -> CivilDate {
            guard let date = CivilDate(text) else { throw ValidationError("\(flag) must be a date as YYYY-MM-DD") }
            return date
        }
        let today = CivilDate(daysSinceEpoch: Int(Date().timeIntervalSince1970 / 86_400))
        let toDate = try to.map { try parse($0, "--to") } ?? today
        let fromDate = try from.map { try parse($0, "--from") } ?? CivilDate(daysSinceEpoch: toDate.daysSinceEpoch - 90)
        return (fromDate, toDate)
    }

    /// The open of the first session whose trade date is on or after `date`.
    private func firstOpen(_ session: TradingSession, onOrAfter date: CivilDate) -> Int64 {
        let day = date.daysSinceEpoch
        return session.sessions(fromDay: day, throughDay: day + 7).first?.open ?? Int64(day) * 86_400
    }

    // MARK: - Output

    private func progress(_ message: String) {
        FileHandle.standardError.write(Data("backtest: \(message)\n".utf8))
    }

    private func summary(_ result: BacktestResult, archetype: Archetype) -> String {
        let p = result.provenance
        let m = result.metrics
        func usd(_ value: Double) -> String { String(format: "%@$%.2f", value < 0 ? "-" : "", abs(value)) }
        func num(_ value: Double) -> String { String(format: "%.2f", value) }
        func plain(_ value: Double) -> String { String(format: "%g", value) }
        var lines = [
            "\(archetype.name) (\(p.archetype), \(p.family.rawValue))",
            "instrument   \(p.instrument) \(p.instrumentName): tick \(plain(p.tickSize)), multiplier \(plain(p.multiplier)), "
                + "tick value \(usd(p.tickValue))",
            "bars         \(p.barsTested) × \(p.timeframe.rawValue) from \(p.dataSource), \(p.sessionsTested) sessions, "
                + "\(p.firstBar) … \(p.lastBar)",
            "window       \(p.windowFrom) … \(p.windowTo) (exclusive), trading \(p.sessionWindow)",
            "costs        \(usd(p.costs.commissionPerSide)) per contract per side, \(p.costs.slippageTicks) tick(s) slippage",
            "params       \(p.params.canonicalJSON)",
            "params_hash  \(p.paramsHash)",
            "fingerprint  \(p.barFingerprint)",
            "",
            "trades       \(m.totalTrades) (\(m.winningTrades) won, \(m.losingTrades) lost, win rate "
                + "\(num(m.winRate * 100))%)",
            "net profit   \(usd(m.netProfit)) (\(num(m.returnPercent))% of \(usd(p.startingEquity))), "
                + "commission \(usd(m.totalCommission)), slippage \(usd(m.totalSlippage))",
            "profit factor \(num(m.profitFactor)), expectancy \(usd(m.expectancy)), median trade \(usd(m.medianTrade)), "
                + "win/loss \(num(m.winLossRatio))",
            "sharpe \(num(m.sharpe)), sortino \(num(m.sortino)), SQN \(num(m.sqn))",
            "max drawdown \(usd(m.maxDrawdown)) (\(num(m.maxDrawdownPercent))%), pnl/drawdown \(num(m.pnlToDrawdown))",
            "avg hold     \(num(m.averageHoldBars)) bars (\(num(m.averageHoldMinutes)) min), exposure "
                + "\(num(m.exposure * 100))%",
        ]
        if let e = result.evidence {
            let i = e.intervals, d = e.deflatedSharpe
            func interval(_ x: Interval, _ f: (Double) -> String) -> String { "\(f(x.estimate)) [\(f(x.ciLow)), \(f(x.ciHigh))]" }
            lines.append("")
            lines.append("walk-forward \(e.spec.folds) \(e.spec.mode.rawValue) folds over \(e.window.sessions) sessions "
                + "(\(e.window.from) … \(e.window.to)); the figures above are the out-of-sample aggregate")
            for fold in e.folds {
                lines.append("  fold \(fold.fold)  in \(fold.inSample.from)…\(fold.inSample.to) \(fold.inSample.metrics.totalTrades) trades "
                    + "\(usd(fold.inSample.metrics.netProfit)) sharpe \(num(fold.inSample.metrics.sharpe))  |  "
                    + "out \(fold.outOfSample.from)…\(fold.outOfSample.to) \(fold.outOfSample.metrics.totalTrades) trades "
                    + "\(usd(fold.outOfSample.metrics.netProfit)) sharpe \(num(fold.outOfSample.metrics.sharpe))")
            }
            lines.append("95% intervals (\(i.resamples) block-bootstrap resamples, blocks of \(i.blockLength) sessions): "
                + "sharpe \(interval(i.sharpe, num)), expectancy \(interval(i.expectancy, usd)), "
                + "profit factor \(interval(i.profitFactor, num))")
            lines.append("deflated sharpe \(String(format: "%.4f", d.value)) with \(d.trials) trial(s): T = \(d.observations), "
                + "SR/day \(String(format: "%.4f", d.sharpePerPeriod)), skew \(num(d.skewness)), kurtosis \(num(d.kurtosis)), "
                + "SR0 \(String(format: "%.4f", d.expectedMaxSharpe))")
        }
        if p.dataSource == "synthetic" {
            lines.append("")
            lines.append("note: bars are SYNTHETIC — not evidence about real markets")
        }
        return lines.joined(separator: "\n")
    }
}

/// A failure with the stable code, message and suggested fix of the layer that failed.
struct CommandFailure: Error, CustomStringConvertible {
    let code: String
    let message: String
    let suggestedFix: String?

    var description: String {
        "\(code): \(message)" + (suggestedFix.map { "\nsuggested fix: \($0)" } ?? "")
    }
}

extension WalkForwardSpec.Mode: ExpressibleByArgument {}
