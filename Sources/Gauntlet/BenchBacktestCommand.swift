import ArgumentParser
import Backtest
import Foundation
import Market
import MarketData

/// `gauntlet bench-backtest`: single-thread engine throughput per archetype on at
/// least a million bars held in memory, and peak memory per million bars.
struct BenchBacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-backtest",
        abstract: "Measure backtest throughput (bars/s, one thread) and peak memory per million bars.")

    @Option(help: "Bar source: synthetic[:SEED] or file:PATH (real bars are repeated week-aligned to reach --bars).")
    var source = "synthetic"

    @Option(help: "Instrument the bars are for.")
    var instrument = "ES"

    @Option(help: "Bars to hold in memory (at least).")
    var bars = 1_000_000

    @Option(help: "Timed runs per archetype; the median is reported.")
    var runs = 5

    @Option(help: "Only archetypes whose slug contains this text.")
    var only: String?

    @Flag(help: "Run each archetype's whole research grid (ParameterGrid, up to 64 cells) per timed run, each cell summarised as figures (no trade list, as research cells are): bar × parameter-set evaluations per second.")
    var grid = false

    @Flag(help: "Print the table as JSON lines.")
    var json = false

    @Option(help: "Instead: one backtest of --e2e-archetype from this bar file, end to end in this process, each phase timed (read, decode, validate, fingerprint, run) with the peak RSS.")
    var e2e: String?

    @Option(help: "The archetype --e2e runs (its instrument is --instrument).")
    var e2eArchetype = "orb-30-es-1m"

    @Option(help: "Instead: write the --e2e file here — the --source file's sessions, --copies times, on consecutive trading days.")
    var writeE2eFile: String?

    @Option(help: "Copies of the source's sessions --write-e2e-file lays end to end.")
    var copies = 53

    func validate() throws {
        guard bars >= 1000 else { throw ValidationError("--bars must be at least 1000") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard Instruments.spec(instrument) != nil else { throw ValidationError("unknown instrument \(instrument)") }
    }

    func run() throws {
        let spec = Instruments.spec(instrument)!
        if let path = writeE2eFile {
            return try BenchEndToEnd.writeFile(source: source, instrument: spec, copies: copies, to: path)
        }
        if let path = e2e {
            guard let archetype = Archetypes.all.first(where: { $0.slug == e2eArchetype }) else {
                throw ValidationError("unknown archetype \(e2eArchetype)")
            }
            return try BenchEndToEnd.run(path: path, archetype: archetype, instrument: spec, json: json)
        }
        let baselinePeak = peakResidentKiB()
        let series = try BenchBars.load(source: source, instrument: spec, atLeast: bars)
        let fingerprint = series.bars.fingerprint
        let archetypes = Archetypes.all.filter { only.map($0.slug.contains) ?? true }
        log("bench-backtest: \(series.bars.count) \(series.bars.timeframe.rawValue) \(spec.symbol) bars "
            + "(\(series.label)), \(runs) runs per archetype\(grid ? " (its whole grid per run)" : ""), one thread")
        let unit = grid ? "bar-params/s" : "bars/s"
        if !json {
            print(pad("archetype", 26) + pad("family", 22) + lpad(grid ? "cells" : "bars", 10) + lpad("trades", 8)
                + lpad("median \(unit)", 22) + lpad("median ms", 11))
        }
        var totalEvaluations = 0.0, totalSeconds = 0.0
        for archetype in archetypes {
            let cells = grid ? ParameterGrid(archetype: archetype).cells.map(\.params) : [archetype.defaults]
            let requests = cells.map {
                BacktestRequest(archetype: archetype, params: $0, instrument: spec, bars: series.bars,
                                dataSource: series.source, barFingerprint: fingerprint)
            }
            var seconds: [Double] = []
            var trades = 0
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                trades = 0
                // A grid cell is judged on its figures (as research cells are): no trade list.
                for request in requests {
                    trades += try Backtester.run(request, detail: grid ? .metrics : .full).metrics.totalTrades
                }
                seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            seconds.sort()
            let median = seconds[seconds.count / 2]
            let rate = Double(series.bars.count * requests.count) / median
            totalEvaluations += Double(series.bars.count * requests.count)
            totalSeconds += median
            if json {
                print(#"{"archetype":"\#(archetype.slug)","family":"\#(archetype.family.rawValue)","bars":\#(series.bars.count),"trades":\#(trades),"cells":\#(requests.count),"median_bars_per_s":\#(Int(rate)),"median_ms":\#(median * 1000)}"#)
            } else {
                print(pad(archetype.slug, 26) + pad(archetype.family.rawValue, 22)
                    + lpad(grid ? "\(requests.count)" : "\(series.bars.count)", 10)
                    + lpad("\(trades)", 8) + lpad(String(format: "%.1f M", rate / 1e6), 22)
                    + lpad(String(format: "%.2f", median * 1000), 11))
            }
        }
        // Every archetype's cells as one workload: what a research run of them costs one core.
        let overall = String(format: "all %d archetypes: %.1f M %@ (medians summed: %.2f s)", archetypes.count,
                             totalEvaluations / max(totalSeconds, 1e-9) / 1e6, unit, totalSeconds)
        if json {
            print(String(format: #"{"all_archetypes":%d,"%@":%.0f,"seconds":%.3f}"#, archetypes.count,
                         unit.replacingOccurrences(of: "/s", with: "_per_s").replacingOccurrences(of: "-", with: "_"),
                         totalEvaluations / max(totalSeconds, 1e-9), totalSeconds))
        } else {
            print(overall)
        }
        let peak = peakResidentKiB()
        let millions = Double(series.bars.count) / 1e6
        let perMillion = Double(peak - baselinePeak) / 1024 / millions
        let line = String(format: "peak RSS (VmHWM) %.1f MiB; %.1f MiB before loading bars; %.1f MiB per million bars",
                          Double(peak) / 1024, Double(baselinePeak) / 1024, perMillion)
        if json {
            print(String(format: #"{"peak_rss_mib":%.1f,"baseline_rss_mib":%.1f,"rss_mib_per_million_bars":%.1f}"#,
                         Double(peak) / 1024, Double(baselinePeak) / 1024, perMillion))
        } else {
            print(line)
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private func lpad(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

/// Bars for the benchmark, from the MarketData providers.
enum BenchBars {
    struct Loaded {
        let bars: BarSeries
        let source: String
        let label: String
    }

    static func load(source spec: String, instrument: Instrument, atLeast target: Int) throws -> Loaded {
        let provider = try BarSources.make(spec: spec, environment: ProcessInfo.processInfo.environment)
        let day = 86_400.0
        if provider.provider == "synthetic" {
            // About 1,380 one-minute bars per Globex weekday; ask for enough calendar days.
            let calendarDays = Double(target) / 1380 * 7 / 5 + 14
            let from = Date(timeIntervalSince1970: Double(CivilDate(year: 2021, month: 1, day: 4).daysSinceEpoch) * day)
            let fetch = try provider.fetchBars(BarRequest(
                instrument: instrument, timeframe: .m1, from: from, to: from.addingTimeInterval(calendarDays * day)))
            return Loaded(bars: fetch.bars, source: fetch.source, label: "synthetic")
        }
        // Real files: everything the file holds, then repeated until long enough.
        let fetch = try provider.fetchBars(.everything(instrument, .m1))
        return Loaded(bars: try repeatWeekAligned(fetch.bars, atLeast: target), source: fetch.source,
                      label: "\(fetch.bars.count) real bars repeated")
    }

    /// Copies of the series shifted by whole weeks beyond its own span, so weekdays and
    /// sessions stay aligned; prices are unchanged.
    static func repeatWeekAligned(_ bars: BarSeries, atLeast target: Int) throws -> BarSeries {
        guard bars.count < target, let first = bars.timestamps.first, let last = bars.timestamps.last else { return bars }
        let week: Int64 = 7 * 86_400
        let shift = ((last - first) / week + 2) * week
        let copies = (target + bars.count - 1) / bars.count
        var ts: [Int64] = [], o: [Double] = [], h: [Double] = [], l: [Double] = [], c: [Double] = [], v: [Double] = []
        for k in 0..<copies {
            ts += bars.timestamps.map { $0 + Int64(k) * shift }
            o += bars.open; h += bars.high; l += bars.low; c += bars.close; v += bars.volume
        }
        return try BarSeries(timeframe: bars.timeframe, timestamps: ts, open: o, high: h, low: l, close: c, volume: v)
    }
}
