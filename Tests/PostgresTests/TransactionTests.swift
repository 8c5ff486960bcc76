import Foundation
import Postgres
import XCTest

final class TransactionTests: XCTestCase {
    func testFailingStatementRollsBackEverything() throws {
        let db = try TestDatabase.connect()
        try db.runScript("create temp table ledger (id int primary key, amount int not null)")
        XCTAssertThrowsError(try db.transaction {
            try db.query("insert into ledger values ($1, $2)", [1, 100])
            try db.query("insert into ledger values ($1, $2)", [2, 200])
            try db.query("insert into ledger values ($1, $2)", [1, 300]) // duplicate key
        })
        XCTAssertEqual(try db.query("select count(*) as n from ledger").single().decode("n", as: Int.self), 0)
        XCTAssertFalse(db.inTransaction)
    }

    func testSwiftErrorRollsBackToo() throws {
        struct Abort: Error {}
        let db = try TestDatabase.connect()
        try db.runScript("create temp table ledger (id int primary key)")
        XCTAssertThrowsError(try db.transaction {
            try db.query("insert into ledger values ($1)", [1])
            throw Abort()
        }) { XCTAssertTrue($0 is Abort) }
        XCTAssertEqual(try db.query("select count(*) as n from ledger").single().decode("n", as: Int.self), 0)
    }

    func testCommitKeepsEverything() throws {
        let db = try TestDatabase.connect()
        try db.runScript("create temp table ledger (id int primary key)")
        let n: Int = try db.transaction {
            try db.query("insert into ledger values ($1), ($2)", [1, 2])
            return try db.query("select count(*) as n from ledger").single().decode("n")
        }
        XCTAssertEqual(n, 2)
        XCTAssertEqual(try db.query("select count(*) as n from ledger").single().decode("n", as: Int.self), 2)
    }

    func testNestedTransactionIsRefused() throws {
        let db = try TestDatabase.connect()
        XCTAssertThrowsError(try db.transaction { try db.transaction {} })
    }

    func testListenNotifyDeliversPayload() throws {
        let listener = try TestDatabase.connect()
        let sender = try TestDatabase.connect()
        try listener.listen("gauntlet_test_channel")
        XCTAssertEqual(try listener.waitForNotifications(timeout: 0.05), [])
        try sender.notify("gauntlet_test_channel", payload: "job 42 'queued'")
        let notes = try listener.waitForNotifications(timeout: 5)
        XCTAssertEqual(notes.map(\.payload), ["job 42 'queued'"])
        XCTAssertThrowsError(try listener.listen("bad channel; drop table x"))
    }
}
