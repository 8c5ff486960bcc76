import ArgumentParser
import Foundation
import Jobs
import Logging
import MarketData
import Postgres

/// `gauntlet worker`: claims jobs from PostgreSQL and runs them until SIGTERM/SIGINT.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Claim and run queued jobs (backtests, evolution, improvement, no-ops) until stopped.",
        discussion: """
            Each slot is a thread with its own database connection that claims through claim_jobs; \
            a LISTEN on gauntlet_jobs wakes idle slots and they also poll every second. Leases are \
            extended every third of the shortest lease held (the claim row's lease_seconds; at most 5 s). SIGTERM or SIGINT: \
            stop claiming, let running jobs finish for the grace period, release the rest, record \
            the heartbeat as STOPPED and exit 0; a second signal skips the rest of the grace period. \
            Bars come from the provider chain (DATABENTO_API_KEY, POLYGON_API_KEY, GAUNTLET_DATA_DIR, \
            GAUNTLET_DATA_PROVIDERS; synthetic, labelled as such, when none is set, and for the \
            instruments no file names when bar files are the only one; see gauntlet data-sources). \
            Test only: GAUNTLET_TEST_EXECUTOR_DELAY_MS makes every backtest (and research cell) sleep \
            that long before fetching bars, so tests can catch one in flight.
            """)

    @Option(help: "Concurrent jobs, one thread and connection each (default: $GAUNTLET_WORKER_SLOTS or 2).")
    var slots: Int?

    @Option(help: "Comma-separated job kinds to run (default: every kind in job_kinds whose executor this worker has).")
    var types: String?

    @Option(help: "Worker id in bot_jobs and worker_heartbeats (default: <hostname>:<pid>).")
    var id: String?

    @Option(help: "Pidfile (default: $GAUNTLET_VAR/run/worker.pid).")
    var pidfile: String?

    @Option(help: "Seconds running jobs may take to finish after SIGTERM before release (default: $GAUNTLET_WORKER_GRACE_SECONDS or 20).")
    var graceSeconds: Double?

    func validate() throws {
        if let slots, !(1...64).contains(slots) { throw ValidationError("--slots must be 1…64") }
        if let graceSeconds, !(graceSeconds >= 0 && graceSeconds <= 3600) {
            throw ValidationError("--grace-seconds must be 0…3600")
        }
        if let id, id.isEmpty { throw ValidationError("--id must not be empty") }
        _ = try requestedKinds()
    }

    func run() throws {
        JSONLogHandler.bootstrap()
        let logger = Logger(label: "worker")
        let environment = GauntletEnvironment()
        let pidfile = Pidfile(path: self.pidfile ?? "\(environment.varDirectory)/run/worker.pid")
        let slotCount = slots ?? environment.int("GAUNTLET_WORKER_SLOTS", default: 2)
        guard (1...64).contains(slotCount) else { throw ValidationError("GAUNTLET_WORKER_SLOTS must be 1…64") }
        let grace = graceSeconds ?? environment.values["GAUNTLET_WORKER_GRACE_SECONDS"].flatMap(Double.init) ?? 20

        let backtests = BacktestExecutor(environment: environment.values)
        if let chain = backtests.source as? ProviderChain {
            for note in chain.notes { logger.notice("market data: \(note)") }
        }
        let configuration = WorkerConfiguration(
            identity: WorkerIdentity(id: id, slots: slotCount, requestedKinds: try requestedKinds()),
            database: Connection.Options.fromEnvironment(environment.values, applicationName: "gauntlet-worker"),
            executors: [
                backtests,
                EvolveExecutor(),
                ImproveExecutor(source: backtests.source),
                GridExecutor(),
                // A run's cells share one window: each series is fetched once per worker.
                ResearchCellExecutor(source: CachedBarSource(backtests.source), testDelayMs: backtests.testDelayMs),
                NoopExecutor(),
            ],
            gracePeriod: grace)
        let worker: Worker
        do {
            worker = try Worker(configuration, logger: logger)
        } catch {
            throw CommandFailure(code: error.code, message: error.message, suggestedFix: error.suggestedFix)
        }

        // Before any thread starts, so every thread inherits the blocked signals.
        Signals.onTermination { signal in
            logger.info("signal received", metadata: ["signal": "\(signal)"])
            worker.stop()
        }
        if let other = pidfile.runningPid(), other != getpid() {
            // Several workers per machine are normal; the pidfile names the latest.
            logger.notice("pidfile named another live worker; taking it over", metadata: ["pid": "\(other)", "pidfile": "\(pidfile.path)"])
        }
        try pidfile.write(getpid())
        defer { pidfile.removeIfOwned(by: getpid()) }
        logger.info("market data providers", metadata: ["providers": "\(backtests.source.provider)"])
        do {
            _ = try worker.run()
        } catch let error as PostgresError {
            throw CommandFailure(code: error.code.rawValue, message: error.message,
                                 suggestedFix: "check GAUNTLET_DATABASE_URL and run gauntlet migrate")
        }
    }

    /// The `--types` restriction, nil when absent; names are checked against
    /// `job_kinds` when the worker starts.
    private func requestedKinds() throws -> [JobKind]? {
        guard let types else { return nil }
        var parsed: [JobKind] = []
        for name in types.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).uppercased() })
        where !name.isEmpty {
            let kind = JobKind(rawValue: name)
            if !parsed.contains(kind) { parsed.append(kind) }
        }
        guard !parsed.isEmpty else { throw ValidationError("--types needs at least one job kind") }
        return parsed
    }
}
