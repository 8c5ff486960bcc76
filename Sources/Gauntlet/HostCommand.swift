import ArgumentParser
import FCGIHost
import Foundation
import Handlers
import Logging
import Postgres

struct HostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host",
        abstract: "Serve the API over FastCGI for nginx.",
        discussion: """
            Binds <socket>.<pid>, then renames it over <socket> so nginx always finds a listener. \
            With --replace it then retires the host named in the pidfile: that host stops accepting, \
            finishes its in-flight requests and exits — a reload that loses no request. \
            SIGTERM drains the same way and exits 0.
            """
    )

    @Option(help: "FastCGI unix socket (default: $GAUNTLET_SOCKET or var/run/api.sock).")
    var socket: String?

    @Option(help: "Request threads, each with its own database connection; nginx's kept connections share them (default: $GAUNTLET_THREADS or 8; threads wait on PostgreSQL round trips, so 8 beat 4 on 2 cores).")
    var threads: Int?

    @Option(help: "Largest request body in bytes (default: $GAUNTLET_MAX_BODY_BYTES or 1 MiB).")
    var maxBodyBytes: Int?

    @Option(help: "Pidfile (default: var/run/host.pid).")
    var pidfile: String?

    @Flag(help: "Take over from the running host instead of refusing to start.")
    var replace = false

    func validate() throws {
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be 1…256") }
        if let maxBodyBytes, maxBodyBytes < 1 { throw ValidationError("--max-body-bytes must be positive") }
    }

    func run() throws {
        JSONLogHandler.bootstrap()
        let logger = Logger(label: "host")
        let environment = GauntletEnvironment()
        let pidfile = Pidfile(path: self.pidfile ?? environment.hostPidfile)
        let predecessor = pidfile.runningPid()
        if let predecessor, !replace {
            throw ValidationError("a host is already running (pid \(predecessor)); use --replace (scripts/reload) to take over")
        }

        var database = Connection.Options.fromEnvironment(environment.values, applicationName: "gauntlet-host")
        if environment.values["GAUNTLET_STATEMENT_TIMEOUT_MS"] == nil { database.statementTimeoutMs = 10_000 }
        let contract = OpenAPIDocument.load(path: environment.openAPIPath)
        if case .unavailable(_, let reason) = contract {
            // The host still serves the API; GET /api/openapi.json answers 500 with this reason.
            logger.error("the API contract is unavailable", metadata: ["error": "\(reason)"])
        }
        let router = Routes.all(environment: environment.values, openAPI: contract)
        let server = Server(
            configuration: .init(socketPath: socket ?? environment.socketPath,
                                 threads: threads ?? environment.int("GAUNTLET_THREADS", default: 8),
                                 maxBodyBytes: maxBodyBytes ?? environment.int("GAUNTLET_MAX_BODY_BYTES", default: 1 << 20),
                                 socketGroup: environment.values["GAUNTLET_SOCKET_GROUP"]),
            logger: logger,
            makeHandler: { [router, database, logger] in APIHandler(router: router, database: database, logger: logger) })

        Signals.onTermination { signal in
            logger.info("signal received", metadata: ["signal": "\(signal)"])
            server.drain()
        }
        try server.bind()
        try pidfile.write(getpid())
        // Under systemd (Type=notify): this host is now the one to follow. No
        // STOPPING=1 on drain: a retired predecessor sending it would read as the unit stopping.
        ServiceNotifier().notify(["MAINPID": "\(getpid())", "READY": "1"])
        if let predecessor {
            logger.info("retiring previous host", metadata: ["pid": "\(predecessor)"])
            kill(predecessor, SIGTERM)
        }
        server.run()
        pidfile.removeIfOwned(by: getpid())
        logger.info("host stopped")
    }
}
