import Foundation
import Postgres
import TestSupport
import XCTest

/// Restarts the test cluster (`GAUNTLET_TEST_PG_RESTART`, set by scripts/test).
final class RestartTests: XCTestCase {
    func restartServer() throws {
        guard let command = ProcessInfo.processInfo.environment["GAUNTLET_TEST_PG_RESTART"] else {
            XCTFail("GAUNTLET_TEST_PG_RESTART is not set; run through scripts/test")
            return
        }
        XCTAssertEqual(try Subprocess.shell(command + " >/dev/null 2>&1").status, 0, "restart command failed")
    }

    func testStatementsAfterRestartReconnectAndAWriteLostInFlightIsReported() throws {
        let db = try TestDatabase.connect()
        let before: Int = try db.query("select pg_backend_pid() as pid", idempotent: true).single().decode("pid")

        try restartServer()
        // The old backend is gone; the read reconnects and is retried once.
        let after: Int = try db.query("select pg_backend_pid() as pid", idempotent: true).single().decode("pid")
        XCTAssertNotEqual(before, after)
        // Session settings were restored on the new backend.
        XCTAssertEqual(try db.query("show timezone", idempotent: true).single().decode(at: 0, as: String.self), "UTC")

        try restartServer()
        // A write after a restart goes through: the dead connection is noticed
        // before anything is sent, so reconnecting first is safe.
        try db.runScript("create temp table after_restart (x int)")
        XCTAssertEqual(try db.query("insert into after_restart values ($1)", [1]).affectedRows, 1)

        // A connection lost while a write is in flight is not retried: its
        // outcome is unknown, and the error says so.
        XCTAssertThrowsError(try db.query("select pg_terminate_backend(pg_backend_pid()) as written")) { error in
            XCTAssertEqual((error as? PostgresError)?.code, .connectionLost)
        }
        // …but the connection was re-established for the next statement.
        XCTAssertEqual(try db.query("select 1 as n").single().decode("n", as: Int.self), 1)
    }
}
