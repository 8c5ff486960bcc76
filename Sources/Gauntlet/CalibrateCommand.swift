import ArgumentParser
import Foundation
import Market
import MarketData

/// `gauntlet calibrate`: 1-minute return statistics of real bars beside those of
/// synthetic bars of the same instrument (`ReturnStatistics`), to see where the
/// synthetic generator is realistic and where it is not. Progress goes to stderr.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Compare 1-minute return statistics of real bars with synthetic bars of the same instrument.",
        discussion: """
            Real: the last --sessions sessions with bars in --real (within --from/--to, trade dates, \
            --to exclusive). Synthetic: --seeds seeds, each over as many whole sessions as the real \
            bars fill (or --synthetic-sessions), ending on --synthetic-end; the table shows their mean \
            and their spread across seeds — a real figure within about two spreads of the mean is \
            ordinary sampling noise for a sample that size. Definitions (returns within sessions only, \
            one bar apart; time-of-day parts; √(252 × minutes per session) scaling): \
            docs/market-data.md, "Calibration". FOMC afternoons (14:00 ET to the regular close of \
            --fomc dates) are outliers no generator without events reproduces; the two statistics \
            they move most are also shown without them.
            """)

    @Option(help: "Real 1-minute bar file.")
    var real = "../shared/data/es-1m/ES_front_month_1m_utc.csv"

    @Option(help: "Instrument the bars are of.")
    var instrument = "ES"

    @Option(help: "First trade date of the real span, YYYY-MM-DD (default: the file's first).")
    var from: String?

    @Option(help: "Trade date the real span stops before, YYYY-MM-DD (default: after the file's last).")
    var to: String?

    @Option(help: "Use the last N sessions with bars of the real span.")
    var sessions = 200

    @Option(help: "Synthetic seeds.")
    var seeds = 10

    @Option(help: "First synthetic seed.")
    var firstSeed: UInt64 = 1

    @Option(help: "Last trade date of the synthetic sessions, YYYY-MM-DD.")
    var syntheticEnd = "2025-06-30"

    @Option(help: "Synthetic sessions per seed (default: as many whole sessions as the real bars fill).")
    var syntheticSessions: Int?

    @Option(help: "FOMC statement dates (comma-separated YYYY-MM-DD) whose afternoons are outliers.")
    var fomc = "2013-10-30,2013-12-18,2020-01-29"

    @Flag(help: "Print the statistics as JSON.")
    var json = false

    func validate() throws {
        guard sessions >= 1 else { throw ValidationError("--sessions must be at least 1") }
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        if let syntheticSessions, syntheticSessions < 1 { throw ValidationError("--synthetic-sessions must be at least 1") }
    }

    func run() throws {
        guard let spec = Instruments.spec(instrument) else {
            throw ValidationError("unknown instrument \(instrument); one of: " + Instruments.all.map(\.symbol).joined(separator: ", "))
        }
        let session = spec.session
        let clock = DispatchTime.now().uptimeNanoseconds

        // Real bars: the whole file (or --from/--to), then its last --sessions sessions.
        let file = FileBarSource(path: real)
        guard let coverage = file.coverage(for: spec) else {
            throw CommandFailure(code: MarketDataError.noData, message: "cannot read \(spec.symbol) bars from \(real)",
                                 suggestedFix: "pass --real PATH to a 1-minute bar file")
        }
        let fromEpoch = try from.map { firstOpen(session, onOrAfter: try StudyWindow.date($0, "--from")) } ?? coverage.lowerBound
        let toEpoch = try to.map { firstOpen(session, onOrAfter: try StudyWindow.date($0, "--to")) } ?? coverage.upperBound
        guard fromEpoch < toEpoch else { throw ValidationError("--from must be before --to") }
        let fetched = try fetch(file, BarRequest(instrument: spec, timeframe: .m1, from: date(fromEpoch), to: date(toEpoch)))
        guard fetched.timeframe == .m1 else {
            throw ValidationError("\(real) holds \(fetched.timeframe.rawValue) bars; calibrate needs 1-minute bars")
        }
        let realBars = lastSessions(fetched, sessions, session: session)
        let realSample = MinuteReturns(bars: realBars, session: session)
        let realStats = ReturnStatistics(realSample, session: session)

        // FOMC afternoons inside the real span.
        let afternoons = try fomcAfternoons(session: session).filter {
            $0.lowerBound >= realBars.timestamps[0] && $0.lowerBound <= realBars.timestamps[realBars.count - 1]
        }
        let realExFOMC = afternoons.isEmpty ? nil
            : ReturnStatistics(bars: realBars, session: session, excluding: afternoons)

        // Synthetic bars: as many whole sessions as the real bars fill.
        let minutesPerSession = (session.closeMinute - session.openMinute + (session.opensPreviousDay ? 1440 : 0))
        let count = syntheticSessions ?? max(1, Int((Double(realSample.bars) / Double(minutesPerSession)).rounded()))
        let end = try StudyWindow.date(syntheticEnd, "--synthetic-end")
        let window = StudyWindow.sessions(count, endingOn: end, session: session)
        progress("real: \(realBars.count) bars, \(realStats.sessions) sessions; synthetic: \(seeds) seeds × \(count) "
            + "sessions \(window.firstTradeDate) … \(end)")
        var synthetic: [ReturnStatistics] = []
        for seed in firstSeed..<(firstSeed + UInt64(seeds)) {
            let bars = try fetch(SyntheticBarSource(seed: seed), BarRequest(
                instrument: spec, timeframe: .m1, from: date(window.from), to: date(window.to)))
            synthetic.append(ReturnStatistics(bars: bars, session: session))
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9

        let report = CalibrationReport(
            symbol: spec.symbol, realPath: real, realBars: realBars, real: realStats, realExFOMC: realExFOMC,
            fomcDates: afternoons.map { CivilDate(daysSinceEpoch: session.localDay(of: $0.lowerBound)).description },
            synthetic: synthetic, seeds: firstSeed..<(firstSeed + UInt64(seeds)), syntheticWindow: window,
            syntheticEnd: end.description, syntheticSessions: count)
        if json {
            FileHandle.standardOutput.write(try report.jsonData())
            FileHandle.standardOutput.write(Data("\n".utf8))
        } else {
            print(report.markdown())
        }
        progress(String(format: "done in %.1f s", elapsed))
    }

    // MARK: - Helpers

    private func fetch(_ source: any BarSource, _ request: BarRequest) throws -> BarSeries {
        do throws(MarketDataError) {
            return try source.fetchBars(request).bars
        } catch {
            throw CommandFailure(code: error.code, message: error.message, suggestedFix: error.suggestedFix)
        }
    }

    /// The bars of the last `count` sessions that have bars in their open..<close.
    private func lastSessions(_ bars: BarSeries, _ count: Int, session: TradingSession) -> BarSeries {
        let map = SessionMap(bars: bars, session: session)
        let withBars = map.days.indices.filter { k in
            (map.firstBar[k]..<map.endBar[k]).contains { bars.timestamps[$0] >= map.days[k].open
                && bars.timestamps[$0] < map.days[k].close }
        }
        guard let first = withBars.suffix(count).first, let last = withBars.last else { return bars }
        return bars.slice(map.firstBar[first]..<map.endBar[last])
    }

    /// 14:00 ET (the statement) to the regular close of each --fomc date.
    private func fomcAfternoons(session: TradingSession) throws -> [Range<Int64>] {
        try fomc.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.compactMap {
            let day = try StudyWindow.date($0, "--fomc").daysSinceEpoch
            let statement = TradingSession.usEquities.utcEpoch(localDay: day, minute: 14 * 60)
            guard let regularClose = session.sessions(fromDay: day, throughDay: day).first?.regularClose,
                  statement < regularClose
            else { return nil }
            return statement..<regularClose
        }
    }

    private func firstOpen(_ session: TradingSession, onOrAfter date: CivilDate) -> Int64 {
        let day = date.daysSinceEpoch
        return session.sessions(fromDay: day, throughDay: day + 7).first?.open ?? Int64(day) * 86_400
    }

    private func date(_ epoch: Int64) -> Date { Date(timeIntervalSince1970: Double(epoch)) }

    private func progress(_ message: String) {
        FileHandle.standardError.write(Data("calibrate: \(message)\n".utf8))
    }
}
