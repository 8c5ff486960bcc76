import ArgumentParser
import Foundation
import Logging
import Market
import Paper
import Postgres

/// `gauntlet runner`: trades the ACTIVE PAPER bots (the RUNNER_START jobs the planner
/// enqueues; or `--bot`) forward on paper under the hard risk limits of their accounts
/// (docs/paper.md). Exits 0 after a graceful stop; ALREADY_RUNNING when another runner
/// holds `--bot`'s account; 70 when the watchdog finds a frozen loop; refuses `--env live`.
struct RunnerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "Trade PAPER bots forward on paper under hard risk limits (LIVE is fail-closed).",
        discussion: """
            Without --bot it runs until stopped, trading every bot whose RUNNER_START job it claims \
            (idle when none). Sources: synthetic (the null-model generator at the wall clock; \
            --bar-seconds shortens a 1-minute bar), replay:PATH[@SPEED] (recorded bars at SPEED × real \
            time), databento or polygon (polling the provider's latest bars; needs its key). SIGTERM, \
            --duration, the stream's end or data silent past --stop-after: working orders are \
            cancelled, the position closes by the session-end rule and the report is written to \
            $GAUNTLET_VAR/runs/<run id>/final_report.json. Kill switch: GAUNTLET_KILL_SWITCH=1, the \
            file $GAUNTLET_VAR/KILL, or POST /api/admin/kill-switch.
            """)

    @Option(help: "synthetic, replay:PATH[@SPEED] (with --bot), databento or polygon.")
    var source = "synthetic"

    @Option(help: "Wall-clock seconds per bar of the synthetic source (60 = real time).")
    var barSeconds = 60.0

    @Option(help: "Trade only this bot (any stage).")
    var bot: String?

    @Option(help: "Stop gracefully after this many seconds.")
    var duration: Double?

    @Option(help: "Seconds without a bar or heartbeat before DATA_STALE (entries blocked).")
    var staleAfter = 180.0

    @Option(help: "Seconds without a bar or heartbeat before a graceful stop.")
    var stopAfter = 600.0

    @Option(help: "A replay's first trade date, YYYY-MM-DD (default: the file's first bar).")
    var from: String?

    @Option(help: "A replay's end date, YYYY-MM-DD, exclusive (default: after the file's last bar).")
    var to: String?

    @Option(help: "paper (live is refused: LIVE stays fail-closed).")
    var env = "paper"

    @Option(help: "The most of a bar's volume one fill may take (0 < share ≤ 1); the rest of the order stays working.")
    var volumeShare = 0.1

    @Option(help: "Seconds a session's loop may stall before the watchdog ends the runner (the next one resumes).")
    var watchdog = 180.0

    @Option(help: "Without --bot: the most PAPER bots this runner trades at once.")
    var maxBots = 50

    @Option(help: "databento/polygon: seconds after a bar's end before the provider publishes it (default: its documented delay).")
    var providerLatency: Double?

    @Option(help: "Pidfile (default without --bot: $GAUNTLET_VAR/run/runner.pid; none with --bot).")
    var pidfile: String?

    func validate() throws {
        guard env == "paper" else {
            throw ValidationError("LIVE_DISABLED: --env \(env) is refused; only paper trading exists (LIVE stays fail-closed)")
        }
        guard barSeconds > 0, staleAfter > 0, stopAfter >= staleAfter, (duration ?? 1) > 0 else {
            throw ValidationError("--bar-seconds, --stale-after, --duration must be positive and --stop-after ≥ --stale-after")
        }
        if let bot, UUID(uuidString: bot) == nil { throw ValidationError("--bot \(bot) is not a UUID") }
        guard let parsed = PaperSource(source) else {
            throw ValidationError("--source \(source): use \(PaperSource.usage)")
        }
        guard volumeShare > 0, volumeShare <= 1, watchdog > 0, maxBots > 0, (providerLatency ?? 0) >= 0 else {
            throw ValidationError("--volume-share must be in (0, 1], --watchdog and --max-bots positive")
        }
        if bot == nil, parsed.isReplay {
            throw ValidationError("a replay trades one bot: add --bot (the fleet runner streams live sources)")
        }
        for (name, text) in [("--from", from), ("--to", to)] {
            if let text, CivilDate(text) == nil { throw ValidationError("\(name) \(text) is not a date (YYYY-MM-DD)") }
        }
    }

    /// --from/--to as UTC epoch seconds (nil when neither is given).
    private var replayWindow: Range<Int64>? {
        guard from != nil || to != nil else { return nil }
        let start = from.flatMap(CivilDate.init).map { Int64($0.daysSinceEpoch) * 86_400 } ?? Int64.min
        let end = to.flatMap(CivilDate.init).map { Int64($0.daysSinceEpoch) * 86_400 } ?? Int64.max
        return start..<max(start, end)
    }

    func run() throws {
        JSONLogHandler.bootstrap()
        let logger = Logger(label: "runner")
        let environment = GauntletEnvironment()
        let runner = PaperRunner(PaperRunner.Configuration(
            database: Connection.Options.fromEnvironment(environment.values, applicationName: "gauntlet-runner"),
            source: source, barSeconds: barSeconds, bot: bot.flatMap(UUID.init(uuidString:)), duration: duration,
            staleAfter: staleAfter, stopAfter: stopAfter, varDirectory: environment.varDirectory,
            killSwitchFromEnvironment: environment.values["GAUNTLET_KILL_SWITCH"] == "1",
            replayWindow: replayWindow, volumeShare: volumeShare, watchdog: watchdog, maxBots: maxBots,
            providerLatency: providerLatency, environment: environment.values), logger: logger)
        // The fleet runner is a daemon of the stack (scripts/up, scripts/down); a --bot run is not.
        let pidfile = (self.pidfile ?? (bot == nil ? "\(environment.varDirectory)/run/runner.pid" : nil)).map(Pidfile.init)
        try pidfile?.write(getpid())
        defer { pidfile?.removeIfOwned(by: getpid()) }
        Signals.onTermination { signal in
            logger.notice("signal received", metadata: ["signal": "\(signal)"])
            runner.stop()
        }
        let reports: [[String: Any]]
        do {
            reports = try runner.run()
        } catch let error as PaperError {
            throw CommandFailure(code: error.code, message: error.message,
                                 suggestedFix: error.code == "ALREADY_RUNNING" ? "stop the other runner first" : nil)
        }
        for report in reports {
            logger.info("paper session ended", metadata: report.mapValues { .string("\($0)") })
        }
        if reports.contains(where: { $0["exit_status"] as? String == "FAILED" }) { throw ExitCode(1) }
    }
}
