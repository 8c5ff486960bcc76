import Foundation
import Logging
import Market
import MarketData
import Postgres

/// `gauntlet runner`: trades bots forward on paper, one thread and one connection per
/// bot (`PaperSession`), each holding its account's session lock.
///
/// With `--bot` it trades that one bot until it stops. Otherwise it is the fleet's
/// runner: it claims the RUNNER_START jobs the planner enqueues for PAPER bots
/// (`RunnerFleet`), heartbeats them every second, stops a bot's session when the bot
/// leaves PAPER or its job is lost, and idles while there is none. Either way a
/// watchdog ends the process when a session's loop stops going round (a frozen loop):
/// the ledger is crash-safe, so the next runner resumes it.
public final class PaperRunner: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var database: Connection.Options
        /// "synthetic", "replay:PATH[@SPEED]", "databento" or "polygon".
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
        /// The most of a bar's volume one fill takes (nil: whole orders, as a backtest).
        public var volumeShare: Double?
        /// Seconds a session's loop may go without a round before the watchdog ends the process.
        public var watchdog: TimeInterval
        /// The fleet runner trades at most this many bots at once.
        public var maxBots: Int
        /// databento/polygon: seconds after a bar's end before the provider publishes it
        /// (nil: the provider's documented delay, `PollingBarStream.defaultLatency`).
        public var providerLatency: TimeInterval?
        /// The environment, for provider keys (never logged or written).
        public var environment: [String: String]

        public init(database: Connection.Options, source: String, barSeconds: Double, bot: UUID?, duration: TimeInterval?,
                    staleAfter: TimeInterval, stopAfter: TimeInterval, varDirectory: String, killSwitchFromEnvironment: Bool,
                    replayWindow: Range<Int64>? = nil, volumeShare: Double? = 0.1, watchdog: TimeInterval = 180,
                    maxBots: Int = 50, providerLatency: TimeInterval? = nil, environment: [String: String] = [:]) {
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
            self.volumeShare = volumeShare
            self.watchdog = watchdog
            self.maxBots = maxBots
            self.providerLatency = providerLatency
            self.environment = environment
        }
    }

    let configuration: Configuration
    let logger: Logger
    private let stopped = NSCondition()
    private var isStopped = false
    let started = Date()

    public init(_ configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// SIGTERM: every session shuts down gracefully.
    public func stop() {
        stopped.withLock {
            isStopped = true
            stopped.broadcast()
        }
    }

    var shouldStop: Bool {
        if let duration = configuration.duration, Date().timeIntervalSince(started) >= duration { return true }
        return stopped.withLock { isStopped }
    }

    /// Why sessions stop when the runner does: SIGTERM, else the deadline.
    var stopReason: String { stopped.withLock { isStopped } ? "SIGTERM" : "DURATION" }

    /// Waits up to `seconds` or until `stop()`.
    func pause(_ seconds: TimeInterval) {
        stopped.withLock { if !isStopped { _ = stopped.wait(until: Date().addingTimeInterval(seconds)) } }
    }

    /// Runs to the end; returns the sessions' reports. With `--bot`, throws before
    /// trading when the bot's account is already being run (ALREADY_RUNNING) or there
    /// is no such bot.
    public func run() throws -> [[String: Any]] {
        let setup = try Connection(configuration.database)
        if configuration.killSwitchFromEnvironment {
            try PaperLedger(setup).engageKillSwitch(source: "env", reason: "GAUNTLET_KILL_SWITCH=1")
        }
        guard let only = configuration.bot else {
            return try RunnerFleet(runner: self, connection: setup).run()
        }
        guard let bot = try PaperLedger(setup).bots(only: only).first else {
            throw PaperError(code: "NO_PAPER_BOTS", message: "no bot has id \(only.uuidString.lowercased())")
        }
        let ledger = PaperLedger(try Connection(configuration.database))
        let account = try ledger.account(for: bot)
        guard try ledger.lock(account: account) else {
            throw PaperError(code: "ALREADY_RUNNING", message: "another runner holds \(bot.name)'s paper account")
        }
        let control = SessionControl()
        let watchdog = Watchdog(limit: configuration.watchdog, logger: logger)
        watchdog.watch(control, name: bot.name)
        let reports = Reports()
        let done = DispatchSemaphore(value: 0)
        let session = PaperSession(bot: bot, account: account, ledger: ledger, runner: self, control: control)
        Thread.detachNewThread {
            let report = session.run()
            watchdog.forget(control)
            reports.append(report)
            done.signal()
        }
        while done.wait(timeout: .now() + 0.5) == .timedOut {
            if stopped.withLock({ isStopped }) { control.stop("SIGTERM") }
            watchdog.check()
        }
        return reports.all
    }

    /// A bot's bars: those a crashed run already booked (`history`, re-fetched: the
    /// replay file again, or the deterministic generator from the crashed run's market
    /// start) and the stream of the rest.
    struct Feed {
        let history: [StreamBar]
        let stream: any BarStream
        let marketStart: Int64?
    }

    func makeFeed(for bot: PaperLedger.Bot, resuming crashed: PaperLedger.Unfinished?) throws -> Feed {
        guard let instrument = Instruments.spec(bot.instrument), let timeframe = Timeframe(rawValue: bot.timeframe) else {
            throw PaperError(code: "UNKNOWN_BOT_SPEC", message: "\(bot.name): \(bot.instrument) \(bot.timeframe)")
        }
        let booked = crashed?.lastBarTime
        guard let source = PaperSource(configuration.source) else {
            throw PaperError(code: "UNKNOWN_SOURCE", message: "source \(configuration.source): use \(PaperSource.usage)")
        }
        switch source {
        case .provider:
            return try providerFeed(instrument, timeframe, resuming: crashed)
        case .replay(let path, let speed):
            let bars = try replayBars(path, instrument, timeframe)
            let split = booked.map { last in bars.timestamps.firstIndex { $0 > last } ?? bars.count } ?? 0
            return Feed(history: (0..<split).map { StreamBar(bars, $0) },
                        stream: ReplayBarStream(bars: bars.slice(split..<bars.count), instrument: instrument, source: "file",
                                                speed: speed),
                        marketStart: nil)
        case .synthetic:
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
    }

    /// A provider's latest bars, polled (`PollingBarStream`). A resumed run re-fetches the
    /// bars it had booked from the same provider's history, from its market start.
    private func providerFeed(_ instrument: Instrument, _ timeframe: Timeframe,
                              resuming crashed: PaperLedger.Unfinished?) throws -> Feed {
        do {
            let stream = try PollingBarStream.make(
                source: configuration.source, instrument: instrument, timeframe: timeframe,
                environment: configuration.environment, latency: configuration.providerLatency,
                startingAt: crashed?.lastBarTime.map { $0 + Int64(timeframe.seconds) }, logger: logger)
            guard let crashed, let booked = crashed.lastBarTime, let start = crashed.marketStart else {
                return Feed(history: [], stream: stream, marketStart: crashed?.marketStart ?? stream.nextBarStart)
            }
            let bars = try BarSources.make(spec: configuration.source, environment: configuration.environment)
                .fetchBars(BarRequest(instrument: instrument, timeframe: timeframe,
                                      from: Date(timeIntervalSince1970: Double(start)),
                                      to: Date(timeIntervalSince1970: Double(booked + 1)))).bars
            return Feed(history: (0..<bars.count).map { StreamBar(bars, $0) }, stream: stream, marketStart: start)
        } catch {
            throw PaperError(code: error.code, message: error.message)
        }
    }

    /// The replay file's bars of `instrument` in the configured window.
    private func replayBars(_ spec: String, _ instrument: Instrument, _ timeframe: Timeframe) throws -> BarSeries {
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

}

/// Reports gathered from the bots' threads.
final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [[String: Any]] = []

    func append(_ report: [String: Any]) { lock.withLock { reports.append(report) } }
    var all: [[String: Any]] { lock.withLock { reports } }
}
