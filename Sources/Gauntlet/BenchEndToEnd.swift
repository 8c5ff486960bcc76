import ArgumentParser
import Backtest
import Foundation
import Market
import MarketData

/// `gauntlet bench-backtest --e2e FILE`: one backtest from a bar file, end to end in
/// this process, each phase timed — read, decode, validate, fingerprint, run — with
/// the peak RSS; `scripts/bench backtest --e2e` runs it in fresh processes and takes
/// medians. `--write-e2e-file` makes the file it is meant for: real sessions laid end
/// to end on consecutive trading days.
enum BenchEndToEnd {
    static func run(path: String, archetype: Archetype, instrument: Instrument, json: Bool) throws {
        var total = Stopwatch()
        let loaded = try BarFileProfile.load(path: path, request: .everything(instrument, archetype.timeframe))
        var watch = Stopwatch()
        let fingerprint = loaded.bars.fingerprint
        let fingerprintSeconds = watch.lap()
        let result = try Backtester.run(BacktestRequest(
            archetype: archetype, params: archetype.defaults, instrument: instrument, bars: loaded.bars,
            dataSource: "file", barFingerprint: fingerprint))
        let runSeconds = watch.lap()
        let peak = Double(peakResidentKiB()) / 1024
        let phases: [(String, Double)] = [
            ("read", loaded.readSeconds), ("decode", loaded.decodeSeconds), ("validate", loaded.validateSeconds),
            ("fingerprint", fingerprintSeconds), ("run", runSeconds), ("total", total.lap()),
        ]
        if json {
            let fields = phases.map { String(format: "\"%@_s\":%.4f", $0.0, $0.1) }.joined(separator: ",")
            print("{\"bars\":\(loaded.bars.count),\"trades\":\(result.metrics.totalTrades),\(fields),"
                + String(format: "\"peak_rss_mib\":%.1f}", peak))
        } else {
            print("\(loaded.bars.count) bars, \(result.metrics.totalTrades) trades, \(archetype.slug)")
            for (name, seconds) in phases {
                print(name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: " %8.3f s", seconds))
            }
            print(String(format: "peak RSS     %8.1f MiB", peak))
        }
    }

    /// Every session of the source's bars, `copies` times over, on consecutive full
    /// trading days of the instrument's calendar from 2021-01-04: each bar keeps its
    /// offset from its session's open. The result is one-minute CSV
    /// (`ts_utc,open,high,low,close,volume`).
    static func writeFile(source: String, instrument: Instrument, copies: Int, to path: String) throws {
        let provider = try BarSources.make(spec: source, environment: ProcessInfo.processInfo.environment)
        let bars = try provider.fetchBars(.everything(instrument, .m1)).bars
        let session = instrument.session
        let sourceDays = session.sessions(covering: bars.timestamps.first!, through: bars.timestamps.last!)
        // Bars by the last session that opened at or before them (a bar the calendar
        // has closed, such as a holiday's, stays with the session before it), as
        // offsets from that open: every bar is kept.
        var groups: [[Int]] = []
        var opens: [Int64] = []
        var day = 0
        for i in 0..<bars.count {
            while day + 1 < sourceDays.count, sourceDays[day + 1].open <= bars.timestamps[i] { day += 1 }
            if opens.last != sourceDays[day].open {
                groups.append([])
                opens.append(sourceDays[day].open)
            }
            groups[groups.count - 1].append(i)
        }
        let fullLength = sourceDays.map { $0.close - $0.open }.max() ?? 0
        let start = CivilDate(year: 2021, month: 1, day: 4).daysSinceEpoch
        let targets = session.sessions(fromDay: start, throughDay: start + groups.count * copies * 2 + 30)
            .filter { $0.close - $0.open == fullLength }
        guard targets.count >= groups.count * copies else { throw ValidationError("not enough trading days for \(copies) copies") }

        var text = "ts_utc,open,high,low,close,volume\n"
        text.reserveCapacity(bars.count * copies * 60)
        var target = 0
        for _ in 0..<copies {
            for (group, open) in zip(groups, opens) {
                for i in group {
                    let stamp = targets[target].open + (bars.timestamps[i] - open)
                    text += "\(isoUTC(stamp)),\(bars.open[i]),\(bars.high[i]),\(bars.low[i]),\(bars.close[i]),\(bars.volume[i])\n"
                }
                target += 1
            }
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        FileHandle.standardError.write(Data(
            "wrote \(path): \(bars.count * copies) bars, \(groups.count) sessions × \(copies) on \(target) trading days\n".utf8))
    }
}
