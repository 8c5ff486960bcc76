import ArgumentParser
import Foundation
import Postgres

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply new migrations in order, then re-apply every SQL function and view.",
        discussion: """
            Migrations (sql/migrations/NNNN_name.sql) run once each and are recorded with their \
            checksum; a changed applied file is refused. Function files (sql/functions/*.sql) are \
            re-applied in one transaction. Concurrent runs take turns on an advisory lock. \
            Connects with GAUNTLET_DATABASE_URL or the PG* variables.
            """
    )

    @Option(help: "Directory holding migrations/ and functions/ (default: $GAUNTLET_ROOT/sql).")
    var sqlDir: String?

    func run() throws {
        let environment = GauntletEnvironment()
        let directory = URL(fileURLWithPath: sqlDir ?? environment.sqlDirectory)
        do {
            let db = try Connection(.fromEnvironment(applicationName: "gauntlet-migrate"))
            let report = try Migrator(sqlDirectory: directory).run(on: db)
            for name in report.applied { print("applied   \(name)") }
            print("migrations: \(report.applied.count) applied now, \(report.alreadyApplied) already applied; "
                  + "functions: \(report.functionFiles) files re-applied")
        } catch let failure as Migrator.Failure {
            FileHandle.standardError.write(Data("error: \(failure.code): \(failure.message)\nfix: \(failure.suggestedFix)\n".utf8))
            throw ExitCode(2)
        } catch let error as PostgresError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
