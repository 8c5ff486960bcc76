import ArgumentParser
import Foundation
import Logging
import Postgres

/// `gauntlet timer`: the pg_cron-style tick. About every `--interval` seconds the
/// leader runs `select run_due_schedules()`, which decides what is due and records
/// each run; this process only keeps time. Leadership is a session-level advisory
/// lock: the first timer to take it leads for as long as its connection lives; any
/// other timer stays a follower and tries again every tick, so a second timer (on
/// this or another machine) is harmless and takes over when the leader dies. The
/// unique (schedule, due_at) row in `schedule_runs` makes a double run impossible
/// even without the lock; the lock just keeps followers from trying. The leader also
/// mirrors research results into `$GAUNTLET_VAR/research/` (ResearchArchive).
struct TimerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timer",
        abstract: "Tick run_due_schedules() about every second, one leader per database.",
        discussion: """
            Logs one JSON line per schedule run (not per idle tick), and when it becomes leader or \
            loses the database. After a PostgreSQL restart it reconnects and competes for leadership \
            again. SIGTERM or SIGINT: exit 0 (the lock goes with the connection). Where pg_cron is \
            installed it can call run_due_schedules() instead; running both is safe.
            """)

    @Option(help: "Seconds between ticks (0.1…60).")
    var interval: Double = 1.0

    @Option(help: "Pidfile (default: $GAUNTLET_VAR/run/timer.pid).")
    var pidfile: String?

    func validate() throws {
        guard interval >= 0.1 && interval <= 60 else { throw ValidationError("--interval must be 0.1…60 seconds") }
    }

    func run() throws {
        JSONLogHandler.bootstrap()
        let logger = Logger(label: "timer")
        let environment = GauntletEnvironment()
        let pidfile = Pidfile(path: self.pidfile ?? "\(environment.varDirectory)/run/timer.pid")
        let clock = TimerClock()
        Signals.onTermination { signal in
            logger.info("signal received", metadata: ["signal": "\(signal)"])
            clock.stop()
        }
        if let other = pidfile.runningPid(), other != getpid() {
            // A second timer is allowed (it stays a follower); the pidfile names the latest.
            logger.notice("pidfile named another live timer; taking it over", metadata: ["pid": "\(other)", "pidfile": "\(pidfile.path)"])
        }
        try pidfile.write(getpid())
        defer { pidfile.removeIfOwned(by: getpid()) }

        var ticker = Ticker(options: Connection.Options.fromEnvironment(environment.values, applicationName: "gauntlet-timer"),
                            archive: ResearchArchive(directory: "\(environment.varDirectory)/research"), logger: logger)
        logger.info("timer started", metadata: ["interval_seconds": "\(interval)", "pid": "\(getpid())"])
        let logs = LogRotation(directory: "\(environment.varDirectory)/log", environment: environment.values)
        var rotatedAt = Date.distantPast
        while !clock.isStopped {
            ticker.tick()
            if Date().timeIntervalSince(rotatedAt) >= 60 {
                rotatedAt = Date()
                do {
                    let rotated = try logs.run()
                    if !rotated.isEmpty { logger.info("logs rotated", metadata: ["files": "\(rotated.joined(separator: " "))"]) }
                } catch {
                    logger.error("log rotation failed", metadata: ["error": "\(error)"])
                }
            }
            clock.sleep(interval)
        }
        ticker.close()
        logger.info("timer stopped", metadata: ["was_leader": "\(ticker.isLeader)"])
    }
}

/// One timer's connection and leadership, advanced one tick at a time.
private struct Ticker {
    let options: Connection.Options
    let logger: Logger
    private var archive: ResearchArchive
    private var connection: Connection?
    private(set) var isLeader = false
    /// The connection's session generation the leader lock was taken in.
    private var leaderGeneration = -1
    /// The last database error logged, so an outage is one line, not one per tick.
    private var outage: String?
    /// The last archive error logged (a full disk is one line too).
    private var archiveFault: String?

    init(options: Connection.Options, archive: ResearchArchive, logger: Logger) {
        self.options = options
        self.archive = archive
        self.logger = logger
    }

    mutating func tick() {
        do {
            let connection = try connect()
            // A reconnect (PostgreSQL restarted, the backend was terminated) is a new
            // session: the leader lock died with the old one, and another timer may hold
            // it now. Compete again before ticking.
            if isLeader && connection.sessionGeneration != leaderGeneration {
                isLeader = false
                logger.warning("leadership lost with the database session; competing again")
            }
            if !isLeader {
                isLeader = try connection.query("select pg_try_advisory_lock(lock_key('timer_leader')) as leader")
                    .single().decode("leader")
                leaderGeneration = connection.sessionGeneration
                if isLeader { logger.info("leader: running due schedules", metadata: ["pid": "\(getpid())"]) }
            }
            if isLeader {
                let ran: String = try connection.query("select run_due_schedules()::text as ran").single().decode("ran")
                for run in Self.runs(in: ran) {
                    switch run["status"]?.description {
                    case "FAILED": logger.warning("schedule failed", metadata: run)
                    case "SKIPPED": logger.notice("schedule slot skipped", metadata: run)
                    default: logger.info("schedule ran", metadata: run)
                    }
                }
                try syncArchive(connection)
            }
            if let outage {
                logger.notice("database reachable again", metadata: ["previous_error": "\(outage)"])
                self.outage = nil
            }
        } catch let error as PostgresError where error.isConnectionProblem {
            // The session lock died with the old backend (or the reset replaced it):
            // compete for it again once a tick gets through.
            if isLeader { logger.warning("leadership lost with the connection") }
            isLeader = false
            report(error)
        } catch {
            report(error)
        }
    }

    /// The research files; a file error is logged once and retried every tick,
    /// a database error goes to the tick's own handling.
    private mutating func syncArchive(_ connection: Connection) throws {
        do {
            let changed = try archive.sync(connection)
            if !changed.isEmpty {
                logger.info("research files exported", metadata: ["files": "\(changed.joined(separator: " "))",
                                                                   "directory": "\(archive.directory)"])
            }
            if let fault = archiveFault {
                logger.notice("research files writable again", metadata: ["previous_error": "\(fault)"])
                archiveFault = nil
            }
        } catch let error as PostgresError {
            throw error
        } catch {
            guard "\(error)" != archiveFault else { return }
            archiveFault = "\(error)"
            logger.error("research export failed; retrying every tick", metadata: ["error": "\(error)"])
        }
    }

    mutating func close() {
        if isLeader, let connection {
            _ = try? connection.query("select pg_advisory_unlock(lock_key('timer_leader'))")
        }
        connection = nil
    }

    private mutating func connect() throws -> Connection {
        if let connection { return connection }
        let opened = try Connection(options)
        connection = opened
        isLeader = false
        return opened
    }

    private mutating func report(_ error: any Error) {
        let text = "\(error)"
        guard text != outage else { return }
        outage = text
        logger.error("tick failed; retrying every interval", metadata: ["error": "\(text)"])
    }

    /// What `run_due_schedules()` says ran — `{"ran": [{schedule, due_at, status,
    /// message, ms}], "skipped": [names]}` — one metadata set per run, so idle ticks
    /// stay silent. `skipped` (a slot another caller had already run, only possible
    /// when something besides this leader calls the function) is logged too.
    static func runs(in json: String) -> [Logger.Metadata] {
        guard let data = json.data(using: .utf8),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return [] }
        var runs: [Logger.Metadata] = ((object["ran"] as? [Any]) ?? []).map { element in
            guard let run = element as? [String: Any] else { return ["run": "\(Self.text(element))"] }
            var metadata: Logger.Metadata = [:]
            // The run's own `message` (what the function returned) must not shadow the log line's.
            for (key, field) in run { metadata[Self.reserved.contains(key) ? "run_\(key)" : key] = "\(Self.text(field))" }
            return metadata
        }
        for name in (object["skipped"] as? [Any]) ?? [] {
            runs.append(["schedule": "\(Self.text(name))", "status": "SKIPPED", "run_message": "slot already run by another caller"])
        }
        return runs
    }

    /// Keys every JSON log line already has.
    private static let reserved: Set<String> = ["ts", "level", "component", "message"]

    private static func text(_ value: Any) -> String {
        if let string = value as? String { return string }
        if value is NSNull { return "null" }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }
}

/// Sleeps between ticks, woken early by a stop so SIGTERM exits promptly.
private final class TimerClock: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false

    var isStopped: Bool { condition.withLock { stopped } }

    func stop() {
        condition.withLock {
            stopped = true
            condition.broadcast()
        }
    }

    func sleep(_ seconds: Double) {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.withLock {
            while !stopped {
                if !condition.wait(until: deadline) { break }
            }
        }
    }
}
