import Foundation

/// Applies `migrations/NNNN_name.sql` once each, in order, and then re-applies
/// every file in `functions/` (CREATE OR REPLACE) in one transaction.
///
/// Applied migrations are recorded with a SHA-256 checksum (computed by
/// PostgreSQL, so no hashing code lives here); a changed or vanished applied
/// file stops the run before anything is touched. A session advisory lock makes
/// two concurrent runs take turns instead of racing.
public struct Migrator {
    public struct Report: Sendable, Equatable {
        public var applied: [String]
        public var alreadyApplied: Int
        public var functionFiles: Int
    }

    public struct Failure: Error, CustomStringConvertible {
        public let code: String
        public let message: String
        public let suggestedFix: String
        public var description: String { "\(code): \(message) — \(suggestedFix)" }
    }

    public let migrationsDirectory: URL
    public let functionsDirectory: URL

    /// Key for `pg_advisory_lock`; any constant works as long as every runner uses it.
    /// Listed as advisory_locks 'migrate' (the table cannot exist before the first migration).
    public static let lockKey: Int64 = 0x6761_756E_746C_6574 // "gauntlet"

    public init(sqlDirectory: URL) {
        migrationsDirectory = sqlDirectory.appendingPathComponent("migrations")
        functionsDirectory = sqlDirectory.appendingPathComponent("functions")
    }

    public func run(on db: Connection) throws -> Report {
        try db.query("select pg_advisory_lock($1)", [Migrator.lockKey])
        defer { _ = try? db.query("select pg_advisory_unlock($1)", [Migrator.lockKey]) }

        try db.runScript("""
            create table if not exists schema_migrations (
                version     integer primary key,
                name        text not null unique,
                checksum    text not null,
                applied_at  timestamptz not null default now(),
                duration_ms double precision not null
            )
            """)

        let files = try migrationFiles()
        var checksums: [String: String] = [:]
        for file in files {
            checksums[file.name] = try db.query("select encode(sha256(convert_to($1, 'UTF8')), 'hex') as sum",
                                                [file.sql]).single().decode("sum")
        }

        let applied = try db.query("select version, name, checksum from schema_migrations order by version")
        var appliedVersions: Set<Int> = []
        for row in applied.rows {
            let name: String = try row.decode("name")
            let version: Int = try row.decode("version")
            appliedVersions.insert(version)
            guard let sum = checksums[name] else {
                throw Failure(code: "MIGRATION_MISSING",
                              message: "migration \(name) was applied to this database but its file is gone",
                              suggestedFix: "restore sql/migrations/\(name); applied migrations are never deleted")
            }
            guard sum == (try row.decode("checksum", as: String.self)) else {
                throw Failure(code: "MIGRATION_CHECKSUM_CHANGED",
                              message: "migration \(name) was changed after it was applied",
                              suggestedFix: "revert the edit to sql/migrations/\(name) and put the change in a new migration file")
            }
        }

        var report = Report(applied: [], alreadyApplied: appliedVersions.count, functionFiles: 0)
        for file in files where !appliedVersions.contains(file.version) {
            let started = Date()
            do {
                try db.transaction {
                    try db.runScript(file.sql)
                    try db.query("insert into schema_migrations (version, name, checksum, duration_ms) values ($1, $2, $3, $4)",
                                 [file.version, file.name, checksums[file.name]!, Date().timeIntervalSince(started) * 1000])
                }
            } catch let error as PostgresError {
                throw Failure(code: "MIGRATION_FAILED", message: "\(file.name): \(error.message)",
                              suggestedFix: error.hint ?? "fix the SQL in sql/migrations/\(file.name) and run migrate again")
            }
            report.applied.append(file.name)
        }

        report.functionFiles = try applyFunctions(on: db)
        return report
    }

    struct MigrationFile {
        let version: Int
        let name: String
        let sql: String
    }

    func migrationFiles() throws -> [MigrationFile] {
        let names = try sqlFileNames(in: migrationsDirectory)
        var seen: [Int: String] = [:]
        return try names.map { name in
            let digits = name.prefix(while: \.isNumber)
            guard digits.count == 4, name.dropFirst(4).first == "_", let version = Int(digits) else {
                throw Failure(code: "MIGRATION_BADLY_NAMED", message: "\(name) is not named NNNN_name.sql",
                              suggestedFix: "rename it, e.g. 0007_add_gate_rules.sql")
            }
            if let other = seen[version] {
                throw Failure(code: "MIGRATION_DUPLICATE_VERSION", message: "\(name) and \(other) share version \(version)",
                              suggestedFix: "give one of them the next free number")
            }
            seen[version] = name
            let sql = try String(contentsOf: migrationsDirectory.appendingPathComponent(name), encoding: .utf8)
            return MigrationFile(version: version, name: name, sql: sql)
        }
    }

    /// Function files may depend on each other (a view on a function, a
    /// function on a view). Rather than make authors number them, apply in
    /// passes: a file that fails for a missing object is retried after the
    /// others, until a pass makes no progress.
    func applyFunctions(on db: Connection) throws -> Int {
        var pending = try sqlFileNames(in: functionsDirectory).map { name in
            (name, try String(contentsOf: functionsDirectory.appendingPathComponent(name), encoding: .utf8))
        }
        let total = pending.count
        let missingObject: Set<String> = ["42883", "42P01", "42704", "42703"]
        try db.transaction {
            while !pending.isEmpty {
                var failed: [(String, String)] = []
                var lastError: (String, PostgresError)?
                for (name, sql) in pending {
                    try db.runScript("savepoint function_file")
                    do {
                        try db.runScript(sql)
                        try db.runScript("release savepoint function_file")
                    } catch let error as PostgresError where missingObject.contains(error.sqlState ?? "") {
                        try db.runScript("rollback to savepoint function_file")
                        failed.append((name, sql))
                        lastError = (name, error)
                    } catch let error as PostgresError {
                        throw Failure(code: "FUNCTION_FAILED", message: "sql/functions/\(name): \(error.message)",
                                      suggestedFix: error.hint ?? "fix the SQL in sql/functions/\(name)")
                    }
                }
                if failed.count == pending.count, let (name, error) = lastError {
                    throw Failure(code: "FUNCTION_FAILED", message: "sql/functions/\(name): \(error.message)",
                                  suggestedFix: "create the missing object in a migration or another function file")
                }
                pending = failed
            }
        }
        return total
    }

    private func sqlFileNames(in directory: URL) throws -> [String] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }
            .sorted()
    }
}
