import CLibPQ
import Foundation

/// One libpq connection. Not `Sendable`: a `PGconn` belongs to one thread, so
/// every host thread and worker slot opens its own.
///
/// After a server restart the connection is dead but does not know it until
/// it is used. `query` notices, resets the connection and, for statements the
/// caller marked idempotent, runs them once more; for anything else it reports
/// `CONNECTION_LOST`, because the statement may or may not have been applied.
public final class Connection {
    public struct Options: Sendable {
        /// A libpq conninfo string or `postgresql://` URI; empty means libpq's
        /// own defaults and `PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER` …
        public var conninfo: String
        public var applicationName: String
        /// Server-side limit for any one statement; 0 means none.
        public var statementTimeoutMs: Int

        public init(conninfo: String = "", applicationName: String = "gauntlet", statementTimeoutMs: Int = 0) {
            self.conninfo = conninfo
            self.applicationName = applicationName
            self.statementTimeoutMs = statementTimeoutMs
        }

        /// `GAUNTLET_DATABASE_URL` when set, otherwise the standard `PG*` variables.
        public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                           applicationName: String = "gauntlet") -> Options {
            Options(conninfo: environment["GAUNTLET_DATABASE_URL"] ?? "",
                    applicationName: applicationName,
                    statementTimeoutMs: Int(environment["GAUNTLET_STATEMENT_TIMEOUT_MS"] ?? "") ?? 0)
        }
    }

    public let options: Options
    private var handle: OpaquePointer?
    private var listening: Set<String> = []
    /// Statements seen before, and the server-side name of those prepared.
    /// A statement is prepared on its second use: one-off statements skip the
    /// extra round trip, hot ones (a handler's, the worker's) skip parsing and
    /// planning on every call.
    private var statementUses: [String: Int] = [:]
    private var preparedNames: [String: String] = [:]
    private var preparedCount = 0
    /// When this connection last finished a statement (monotonic ns): only a
    /// connection that sat idle is checked before sending.
    private var lastUsed: UInt64 = 0
    /// Counts the backend sessions this connection has had: `reset()` (explicit, or the
    /// silent one before a statement when the server went away) starts a new one, and
    /// everything session-scoped — advisory locks above all — died with the old. A
    /// holder of a session lock compares it with the value it locked under.
    public private(set) var sessionGeneration = 0
    private static let idleCheckAfterNs: UInt64 = 200_000_000
    private static let maxPreparedStatements = 256
    public private(set) var inTransaction = false

    public init(_ options: Options = .fromEnvironment()) throws {
        self.options = options
        let keys = ["dbname", "application_name", "connect_timeout"]
        let values = [options.conninfo, options.applicationName, "10"]
        // expand_dbname=1 lets dbname carry a whole conninfo or URI.
        handle = withCStringArray(keys) { k in
            withCStringArray(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let message = handle.map { Connection.lastError($0) } ?? "out of memory"
            if let handle { PQfinish(handle) }
            self.handle = nil
            throw PostgresError(.connectionFailed, "could not connect to PostgreSQL: \(message)")
        }
        // Server NOTICEs ("relation … already exists, skipping") would go to
        // stderr and into JSON log files as stray lines; they carry nothing
        // the caller acts on.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        try prepareSession()
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// The server's version, e.g. "15.18".
    public var serverVersion: String {
        guard let handle, let text = PQparameterStatus(handle, "server_version") else { return "unknown" }
        return String(cString: text)
    }

    public var isConnected: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// Runs one statement with parameters bound through `PQexecParams`.
    ///
    /// - Parameter idempotent: the statement only reads (or is safe to repeat):
    ///   after a lost connection it is retried once on a fresh one.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresEncodable)?] = [],
                      idempotent: Bool = false) throws -> QueryResult {
        // A server that restarted while this connection sat idle has already
        // said goodbye on the socket. Noticing that before sending means the
        // statement never left: reconnecting is safe even for a write.
        if !inTransaction && !isAliveBeforeSending() { try reset() }
        defer { lastUsed = DispatchTime.now().uptimeNanoseconds }
        do {
            return try execute(sql, parameters)
        } catch let error as PostgresError where error.isConnectionProblem && !inTransaction {
            try reset()
            if idempotent { return try execute(sql, parameters) }
            throw PostgresError(.connectionLost,
                                "the connection to PostgreSQL was lost while a write was in flight; "
                                + "it has been re-established, but the write may or may not have been applied",
                                sqlState: error.sqlState, detail: error.message)
        }
    }

    /// Runs `body` inside BEGIN … COMMIT. Any error thrown by `body` (or by
    /// COMMIT) rolls everything back and is rethrown.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        guard !inTransaction else {
            throw PostgresError(.usage, "transactions do not nest; use one transaction per unit of work")
        }
        try execute("BEGIN", [])
        inTransaction = true
        defer { inTransaction = false }
        do {
            let value = try body()
            try execute("COMMIT", [])
            return value
        } catch {
            if isConnected { _ = try? execute("ROLLBACK", []) }
            throw error
        }
    }

    /// Runs a trusted multi-statement script (a migration file) with
    /// `PQexec`, which — unlike `PQexecParams` — accepts several statements.
    /// Never pass text that contains user input.
    public func runScript(_ sql: String) throws {
        if !inTransaction && !isAliveBeforeSending() { try reset() }
        guard let handle else { throw PostgresError(.connectionLost, "connection was closed") }
        guard let result = PQexec(handle, sql) else {
            throw PostgresError(.connectionLost, Connection.lastError(handle))
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            throw Connection.error(from: result, connection: handle)
        }
    }

    // MARK: LISTEN / NOTIFY

    /// Subscribes to a channel. Channels are identifiers, which cannot be bound
    /// as parameters, so the name is checked against a strict pattern instead.
    public func listen(_ channel: String) throws {
        try Connection.validateChannel(channel)
        try execute("LISTEN \(channel)", [])
        listening.insert(channel)
    }

    public func notify(_ channel: String, payload: String = "") throws {
        try query("select pg_notify($1, $2)", [channel, payload])
    }

    public struct Notification: Sendable, Equatable {
        public let channel: String
        public let payload: String
        public let processID: Int32
    }

    /// Waits up to `timeout` seconds for notifications on the channels this
    /// connection listens to; returns what arrived (possibly nothing).
    public func waitForNotifications(timeout: Double) throws -> [Notification] {
        guard let handle else { throw PostgresError(.connectionLost, "not connected") }
        var received = drainNotifications(handle)
        if !received.isEmpty { return received }
        var poller = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, Int32(max(0, timeout * 1000)))
        if ready > 0 {
            if PQconsumeInput(handle) == 0 {
                let message = Connection.lastError(handle)
                try reset()
                throw PostgresError(.connectionLost, "lost the connection while listening: \(message)")
            }
            received = drainNotifications(handle)
        }
        return received
    }

    private func drainNotifications(_ handle: OpaquePointer) -> [Notification] {
        var out: [Notification] = []
        while let note = PQnotifies(handle) {
            out.append(Notification(channel: String(cString: note.pointee.relname),
                                    payload: String(cString: note.pointee.extra),
                                    processID: note.pointee.be_pid))
            PQfreemem(note)
        }
        return out
    }

    static func validateChannel(_ channel: String) throws {
        let valid = !channel.isEmpty && channel.count <= 63 && channel.utf8.allSatisfy {
            ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95
        } && !(channel.utf8.first! >= 48 && channel.utf8.first! <= 57)
        guard valid else {
            throw PostgresError(.usage, "channel '\(channel)' must be a lower-case identifier ([a-z_][a-z0-9_]*)")
        }
    }

    // MARK: Internals

    /// Reads whatever the server sent while we were idle, without blocking. A
    /// terminated backend leaves a FATAL message and then EOF; if only the
    /// message has arrived yet the status still says OK, so anything unexpected
    /// is followed by an empty round trip. True when the connection is usable.
    private func isAliveBeforeSending() -> Bool {
        guard let handle else { return false }
        // A connection in steady use is not probed: the hot path stays one round trip.
        if DispatchTime.now().uptimeNanoseconds &- lastUsed < Connection.idleCheckAfterNs {
            return PQstatus(handle) == CONNECTION_OK
        }
        var poller = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return PQstatus(handle) == CONNECTION_OK }
        if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK { return false }
        guard let probe = PQexec(handle, "") else { return false }
        defer { PQclear(probe) }
        return PQresultStatus(probe) == PGRES_EMPTY_QUERY && PQstatus(handle) == CONNECTION_OK
    }

    /// Re-establishes a broken connection and restores the session settings
    /// and subscriptions a fresh backend would not have.
    public func reset() throws {
        guard let handle else { throw PostgresError(.connectionFailed, "connection was closed") }
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(.connectionFailed, "could not reconnect to PostgreSQL: \(Connection.lastError(handle))")
        }
        inTransaction = false
        sessionGeneration += 1
        statementUses = [:]
        preparedNames = [:]
        try prepareSession()
        for channel in listening { try execute("LISTEN \(channel)", []) }
    }

    private func prepareSession() throws {
        // Fixed text formats so timestamps and numbers decode the same everywhere.
        try execute("select set_config('timezone', 'UTC', false), set_config('datestyle', 'ISO, YMD', false), "
                    + "set_config('statement_timeout', $1, false)", [String(options.statementTimeoutMs)])
    }

    @discardableResult
    private func execute(_ sql: String, _ parameters: [(any PostgresEncodable)?]) throws -> QueryResult {
        guard let handle else { throw PostgresError(.connectionLost, "connection was closed") }
        if PQstatus(handle) != CONNECTION_OK {
            throw PostgresError(.connectionLost, "connection is not open: \(Connection.lastError(handle))")
        }
        let texts = parameters.map { $0?.postgresText }
        // libpq takes parameters as C strings: a NUL would end the value there and the
        // statement would run on a silently shortened one. PostgreSQL's own SQLSTATE
        // for text it cannot hold, so callers treat it as the server's refusal.
        if let index = texts.firstIndex(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(.serverError, "parameter $\(index + 1) contains a NUL byte, which text cannot hold",
                                sqlState: "22021")
        }
        let name = try preparedName(for: sql, parameterCount: texts.count, handle: handle)
        let result: OpaquePointer? = withOptionalCStringArray(texts) { values in
            if let name { return PQexecPrepared(handle, name, Int32(texts.count), values, nil, nil, 0) }
            return PQexecParams(handle, sql, Int32(texts.count), nil, values, nil, nil, 0)
        }
        guard let result else {
            throw PostgresError(.connectionLost, Connection.lastError(handle))
        }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return QueryResult(handle: result)
        default:
            let error = Connection.error(from: result, connection: handle)
            PQclear(result)
            // A function re-created with another result type invalidates the
            // prepared plan; nothing ran, so prepare afresh and run once more.
            if name != nil, error.sqlState == "0A000" {
                preparedNames[sql] = nil
                statementUses[sql] = 0
                return try execute(sql, parameters)
            }
            throw error
        }
    }

    /// The prepared statement's name, preparing it on the second use.
    private func preparedName(for sql: String, parameterCount: Int, handle: OpaquePointer) throws -> String? {
        if let name = preparedNames[sql] { return name }
        if statementUses.count > 4 * Connection.maxPreparedStatements { statementUses = [:] }
        let uses = (statementUses[sql] ?? 0) + 1
        statementUses[sql] = uses
        guard uses >= 2, preparedNames.count < Connection.maxPreparedStatements else { return nil }
        preparedCount += 1
        let name = "gauntlet_\(preparedCount)"
        guard let result = PQprepare(handle, name, sql, Int32(parameterCount), nil) else {
            throw PostgresError(.connectionLost, Connection.lastError(handle))
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw Connection.error(from: result, connection: handle) }
        preparedNames[sql] = name
        return name
    }

    private static func error(from result: OpaquePointer, connection: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let raw = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: raw)
        }
        let state = field("C")
        let message = field("M") ?? lastError(connection)
        let lost = PQstatus(connection) != CONNECTION_OK
        return PostgresError(lost && state == nil ? .connectionLost : .serverError, message,
                             sqlState: state, detail: field("D"), hint: field("H"))
    }

    private static func lastError(_ handle: OpaquePointer) -> String {
        guard let raw = PQerrorMessage(handle) else { return "unknown error" }
        return String(cString: raw).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let duplicated = strings.map { strdup($0) }
    defer { duplicated.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = duplicated.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

private func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let duplicated = strings.map { $0.map { strdup($0) } ?? nil }
    defer { duplicated.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = duplicated.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
