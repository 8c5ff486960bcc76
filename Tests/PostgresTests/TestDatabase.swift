import Foundation
import Postgres
import XCTest

/// The throwaway cluster `scripts/test` starts. Tests fail (not skip) without
/// it, so a run that never reached a database cannot pass.
enum TestDatabase {
    static func connect(_ name: String = "gauntlet-tests") throws -> Connection {
        try Connection(.init(conninfo: try requiredConninfo(), applicationName: name))
    }

    static func requiredConninfo() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["GAUNTLET_TEST_DATABASE_URL"] else {
            XCTFail("GAUNTLET_TEST_DATABASE_URL is not set; run the database tests through scripts/test")
            throw PostgresError(.connectionFailed, "no test database")
        }
        return url
    }

    /// A fresh, empty database for tests that need their own schema (the
    /// migrator's); dropped by the returned cleanup.
    static func scratchDatabase() throws -> (conninfo: String, drop: () -> Void) {
        let admin = try connect()
        let name = "scratch_\(UUID().uuidString.prefix(8).lowercased())"
        // Database names are identifiers; this one is generated above, not input.
        try admin.runScript("create database \(name)")
        let conninfo = try requiredConninfo() + " dbname=\(name)"
        return (conninfo, {
            _ = try? admin.runScript("drop database if exists \(name) with (force)")
        })
    }
}
