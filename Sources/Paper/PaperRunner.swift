import Foundation
import Logging
import Market
import MarketData
import Postgres

/// `gauntlet runner`: trades bots forward on paper, one thread and one connection per
/// bot. Each thread takes its account's session lock, opens a `paper_runs` row, and
/// then, about once a second, polls its stream through a `StreamMonitor` and books
/// every valid bar (`BotSession`), logging a heartbeat (price, position, equity,
/// unrealised PnL, elapsed). It stops gracefully on `stop()` (SIGTERM), at the
/// deadline, at the stream's end or when the data stays silent past `stopAfter`:
/// working orders cancelled, the position closed by the engine's session-end rule,
/// the run's report written to `var/runs/<run id>/final_report.json` and the row.
public final class PaperRunner: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var database: Connection.Options
        /// "synthetic" or "replay:PATH[@SPEED]".
        public var source: String
        public var barSeconds: Double
        public var bot: UUID?
        public var duration: TimeInterval?
        public var staleAfter: TimeInterval
        public var stopAfter: TimeInterval
        public var varDirectory: String
        /// GAUNTLET_KILL_SWITCH=1 in the environment.
        public var killSwitchFromEnvironment: Bool
        /// A replay's window (UTC epoch seconds, `to` exclusive): the file's coverage when nil.
        public var replayWindow: Range<Int64>?

        public init(database: Connection.Options, source: String, barSeconds: Double, bot: UUID?, duration: TimeInterval?,
                    staleAfter: TimeInterval, stopAfter: TimeInterval, varDirectory: String, killSwitchFromEnvironment: Bool,
                    replayWindow: Range<Int64>? = nil) {
            self.database = database
            self.source = source
            self.barSeconds = barSeconds
            self.bot = bot
            self.duration = duration
            self.staleAfter = staleAfter
            self.stopAfter = stopAfter
            self.varDirectory = varDirectory
            self.killSwitchFromEnvironment = killSwitchFromEnvironment
            self.replayWindow = replayWindow
        }
    }

    let configuration: Configuration
    let logger: Logger
    private let stopped = NSCondition()
    private var isStopped = false

    public init(_ configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func stop() {
        stopped.withLock {
            isStopped = true
            stopped.broadcast()
        }
    }

    private var shouldStop: Bool { stopped.withLock { isStopped } }

    /// Runs every bot to the end; returns the reports. Throws before trading when a bot's
    /// account is already being run (ALREADY_RUNNING) or there is nothing to run.
    public func run() throws -> [[String: Any]] {
        let setup = try Connection(configuration.database)
        let bots = try PaperLedger(setup).bots(only: configuration.bot)
        guard !bots.isEmpty else {
            throw PaperError(code: "NO_PAPER_BOTS", message: configuration.bot == nil
                ? "no ACTIVE bot is in PAPER" : "no bot has id \(configuration.bot!.uuidString.lowercased())")
        }
        if configuration.killSwitchFromEnvironment {
            try PaperLedger(setup).engageKillSwitch(source: "env", reason: "GAUNTLET_KILL_SWITCH=1")
        }
        // Every account's lock before any trading, on the connection its thread will use.
        var sessions: [Handoff] = []
        for bot in bots {
            let ledger = PaperLedger(try Connection(configuration.database))
            let account = try ledger.account(for: bot)
            guard try ledger.lock(account: account) else {
                throw PaperError(code: "ALREADY_RUNNING", message: "another runner holds \(bot.name)'s paper account")
            }
            sessions.append(Handoff(ledger: ledger, bot: bot, account: account))
        }
        let reports = Reports()
        let group = DispatchGroup()
        for handoff in sessions {
            group.enter()
            Thread.detachNewThread { [self] in
                defer { group.leave() }
                reports.append(trade(handoff.bot, account: handoff.account, ledger: handoff.ledger))
            }
        }
        group.wait()
        return reports.all
    }

    /// One bot's session, start to report.
    private func trade(_ bot: PaperLedger.Bot, account: UUID, ledger: PaperLedger) -> [String: Any] {
        let started = Date()
        var report: [String: Any] = ["bot": bot.name, "bot_id": bot.id.uuidString.lowercased(), "source": configuration.source]
        var errors: [String] = []
        var status = "COMPLETED", exitReason = "DURATION"
        var staleEvents = 0, gapEvents = 0, missingBars = 0, longestHeartbeatGap = 0.0
        do {
            let crashed = try ledger.unfinishedRun(account: account)
            let feed = try makeFeed(for: bot, resuming: crashed)
            var config: [String: Any] = ["source": configuration.source, "bar_seconds": configuration.barSeconds,
                                         "stale_after": configuration.staleAfter, "stop_after": configuration.stopAfter]
            config["market_start"] = feed.marketStart
            config["resumed_from"] = crashed?.run.uuidString.lowercased()
            let stream = feed.stream
            let run = try ledger.startRun(account: account, bot: bot.id, source: stream.source, config: Self.json(config))
            report["run_id"] = run.uuidString.lowercased()
            let session = try BotSession(bot: bot, ledger: ledger, account: account, run: run)
            if let crashed {
                let entries = try ledger.entries(of: crashed.run)
                try session.resume(history: feed.history, refused: entries.refused, working: entries.working)
                try ledger.closeCrashed(account: account, resumedBy: run)
                report["resumed_from"] = crashed.run.uuidString.lowercased()
                logger.notice("resuming a crashed run", metadata: [
                    "bot": "\(bot.name)", "crashed_run": "\(crashed.run.uuidString.lowercased())",
                    "bars_rebuilt": "\(feed.history.count)", "position": "\(session.position.map { "\($0.side.rawValue) \($0.contracts)" } ?? "flat")",
                ])
            }
            let startingEquity = try ledger.figures(account: account).equity
            var monitor = StreamMonitor(for: stream, staleAfter: configuration.staleAfter, stopAfter: configuration.stopAfter)
            var lastHeartbeat = Date()
            let killFile = "\(configuration.varDirectory)/KILL"
            var stale = false
            trading: while !shouldStop {
                if let duration = configuration.duration, Date().timeIntervalSince(started) >= duration { break }
                if FileManager.default.fileExists(atPath: killFile), !(try ledger.killSwitchEngaged()) {
                    try ledger.engageKillSwitch(source: "file", reason: "\(killFile) exists")
                    logger.warning("KILL_SWITCH_ACTIVATED", metadata: ["source": "file", "bot": "\(bot.name)"])
                }
                let verdict = monitor.poll(stream, timeout: min(1, configuration.staleAfter / 2))
                switch verdict {
                case .bar(let bar, let missing):
                    if stale {
                        stale = false
                        session.entriesBlocked = false
                        logger.notice("DATA_RESUMED", metadata: ["bot": "\(bot.name)"])
                    }
                    if missing > 0 {
                        gapEvents += 1
                        missingBars += missing
                        logger.warning("GAP_DETECTED", metadata: ["bot": "\(bot.name)", "missing": "\(missing)",
                                                                  "before": "\(isoUTC(bar.time))"])
                    }
                    do {
                        try session.onBar(bar)
                    } catch {
                        errors.append("\(error)")
                        try? ledger.countError(run: run)
                        logger.error("bar not booked", metadata: ["bot": "\(bot.name)", "error": "\(error)"])
                    }
                case .invalid(let code, let detail):
                    errors.append("\(code): \(detail)")
                    try? ledger.countError(run: run)
                    logger.error("BAR_INVALID", metadata: ["bot": "\(bot.name)", "code": "\(code)", "detail": "\(detail)"])
                case .stale(let seconds):
                    if !stale {
                        stale = true
                        staleEvents += 1
                        session.entriesBlocked = true
                        logger.warning("DATA_STALE", metadata: ["bot": "\(bot.name)", "silent_seconds": "\(Int(seconds))"])
                    }
                case .stop(let seconds):
                    status = "STOPPED"
                    exitReason = "DATA_STALE"
                    logger.warning("data silent too long: stopping", metadata: ["bot": "\(bot.name)",
                                                                                "silent_seconds": "\(Int(seconds))"])
                    break trading
                case .end:
                    exitReason = "STREAM_END"
                    break trading
                case .heartbeat, .quiet:
                    break
                }
                if Date().timeIntervalSince(lastHeartbeat) >= 1 {
                    longestHeartbeatGap = max(longestHeartbeatGap, Date().timeIntervalSince(lastHeartbeat))
                    lastHeartbeat = Date()
                    try? ledger.heartbeat(run: run)
                    let figures = try? ledger.figures(account: account)
                    logger.info("heartbeat", metadata: [
                        "bot": "\(bot.name)", "price": "\(session.counts.lastPrice.map { "\($0)" } ?? "none")",
                        "position": "\(session.position.map { "\($0.side.rawValue) \($0.contracts)" } ?? "flat")",
                        "equity": "\(figures?.equity ?? 0)", "unrealized": "\(figures?.unrealized ?? 0)",
                        "elapsed_seconds": "\(Int(Date().timeIntervalSince(started)))",
                    ])
                }
            }
            if shouldStop { exitReason = "SIGTERM" }
            logger.notice("GRACEFUL SHUTDOWN INITIATED", metadata: ["bot": "\(bot.name)", "reason": "\(exitReason)"])
            do {
                try session.finish()
            } catch {
                errors.append("\(error)")
                logger.error("shutdown could not close the session", metadata: ["bot": "\(bot.name)", "error": "\(error)"])
            }
            let figures = try ledger.figures(account: account)
            let counts = session.counts
            report.merge([
                "duration_seconds": Date().timeIntervalSince(started), "exit_status": status, "exit_reason": exitReason,
                "error_count": errors.count, "errors": Array(errors.prefix(20)), "bars": counts.bars, "orders": counts.orders,
                "fills": counts.fills, "rejects": counts.rejects, "trades": counts.trades,
                "starting_equity": startingEquity, "ending_equity": figures.equity,
                "net_pnl": ((figures.equity - startingEquity) * 100).rounded() / 100, "fees": counts.fees,
                "peak_rss_mib": Double(peakResidentKiB()) / 1024, "longest_heartbeat_gap_seconds": longestHeartbeatGap,
                "stale_events": staleEvents, "gap_events": gapEvents, "missing_bars": missingBars,
            ]) { _, new in new }
            let text = Self.json(report)
            try ledger.finishRun(run: run, status: status, report: text)
            let history = try ledger.history(account: account, run: run)
            try write(report: text, summary: RunSummary.html(report: report, equity: history.equity, fills: history.fills),
                      run: run)
        } catch {
            report["exit_status"] = "FAILED"
            report["errors"] = errors + ["\(error)"]
            logger.error("paper session failed", metadata: ["bot": "\(bot.name)", "error": "\(error)"])
        }
        return report
    }

    /// A bot's bars: those a crashed run already booked (`history`, re-fetched: the
    /// replay file again, or the deterministic generator from the crashed run's market
    /// start) and the stream of the rest.
    private struct Feed {
        let history: [StreamBar]
        let stream: any BarStream
        let marketStart: Int64?
    }

    private func makeFeed(for bot: PaperLedger.Bot, resuming crashed: PaperLedger.Unfinished?) throws -> Feed {
        guard let instrument = Instruments.spec(bot.instrument), let timeframe = Timeframe(rawValue: bot.timeframe) else {
            throw PaperError(code: "UNKNOWN_BOT_SPEC", message: "\(bot.name): \(bot.instrument) \(bot.timeframe)")
        }
        let booked = crashed?.lastBarTime
        if configuration.source == "synthetic" {
            let start = crashed?.marketStart ?? Self.syntheticStart(instrument, timeframe, barSeconds: configuration.barSeconds)
            var history: [StreamBar] = []
            if let booked {
                let bars = try SyntheticBarSource().fetchBars(BarRequest(
                    instrument: instrument, timeframe: timeframe, from: Date(timeIntervalSince1970: Double(start)),
                    to: Date(timeIntervalSince1970: Double(booked + 1)))).bars
                history = (0..<bars.count).map { StreamBar(bars, $0) }
            }
            let next = booked.map { $0 + Int64(timeframe.seconds) } ?? start
            return Feed(history: history,
                        stream: SyntheticBarStream(instrument: instrument, timeframe: timeframe,
                                                   barSeconds: configuration.barSeconds, marketStart: next),
                        marketStart: start)
        }
        let bars = try replayBars(instrument, timeframe)
        let split = booked.map { last in bars.timestamps.firstIndex { $0 > last } ?? bars.count } ?? 0
        return Feed(history: (0..<split).map { StreamBar(bars, $0) },
                    stream: ReplayBarStream(bars: bars.slice(split..<bars.count), instrument: instrument, source: "file",
                                            speed: replaySpec.speed),
                    marketStart: nil)
    }

    /// `replay:PATH[@SPEED]` as (path, speed).
    private var replaySpec: (path: String, speed: Double) {
        var spec = String(configuration.source.dropFirst("replay:".count))
        var speed = 1.0
        if let at = spec.lastIndex(of: "@"), let parsed = Double(spec[spec.index(after: at)...]), parsed > 0 {
            speed = parsed
            spec = String(spec[..<at])
        }
        return (spec, speed)
    }

    /// The replay file's bars of `instrument` in the configured window.
    private func replayBars(_ instrument: Instrument, _ timeframe: Timeframe) throws -> BarSeries {
        guard configuration.source.hasPrefix("replay:") else {
            throw PaperError(code: "UNKNOWN_SOURCE", message: "source \(configuration.source): use synthetic or replay:PATH[@SPEED]")
        }
        let (spec, _) = replaySpec
        let file = FileBarSource(path: spec)
        guard let covered = file.coverage(for: instrument),
              case let coverage = configuration.replayWindow.map({ covered.clamped(to: $0) }) ?? covered,
              !coverage.isEmpty else {
            throw PaperError(code: "NO_REPLAY_BARS", message: "\(spec) holds no \(instrument.symbol) bars in the window")
        }
        do {
            return try file.fetchBars(BarRequest(instrument: instrument, timeframe: timeframe,
                                                 from: Date(timeIntervalSince1970: Double(coverage.lowerBound)),
                                                 to: Date(timeIntervalSince1970: Double(coverage.upperBound)))).bars
        } catch {
            throw PaperError(code: error.code, message: error.message)
        }
    }

    /// Where the synthetic market clock starts. At real time (60 s a minute) it is now,
    /// so the bars are live; a compressed clock (a demo, a test) starts 30 minutes before
    /// the regular open of the latest session, so a short run crosses a trading window.
    static func syntheticStart(_ instrument: Instrument, _ timeframe: Timeframe, barSeconds: Double) -> Int64 {
        let now = Int64(Date().timeIntervalSince1970)
        let width = Int64(timeframe.seconds)
        guard barSeconds < 60,
              let session = instrument.session.sessions(covering: now - 7 * 86_400, through: now)
                  .last(where: { $0.regularOpen <= now }) else {
            return now / width * width
        }
        return (session.regularOpen - 30 * 60) / width * width
    }

    private func write(report: String, summary: String, run: UUID) throws {
        let directory = "\(configuration.varDirectory)/runs/\(run.uuidString.lowercased())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data((report + "\n").utf8).write(to: URL(fileURLWithPath: "\(directory)/final_report.json"), options: .atomic)
        try Data(summary.utf8).write(to: URL(fileURLWithPath: "\(directory)/summary.html"), options: .atomic)
    }

    static func json(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }

}

/// A bot's connection (holding its account's lock) moving to the bot's thread, which
/// is then its only user.
private struct Handoff: @unchecked Sendable {
    let ledger: PaperLedger
    let bot: PaperLedger.Bot
    let account: UUID
}

/// Reports gathered from the bots' threads.
private final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [[String: Any]] = []

    func append(_ report: [String: Any]) { lock.withLock { reports.append(report) } }
    var all: [[String: Any]] { lock.withLock { reports } }
}
