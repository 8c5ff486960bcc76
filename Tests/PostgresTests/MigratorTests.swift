import Foundation
import Postgres
import XCTest

final class MigratorTests: XCTestCase {
    var directory: URL!
    var scratch: (conninfo: String, drop: () -> Void)!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("migrations"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("functions"), withIntermediateDirectories: true)
        scratch = try TestDatabase.scratchDatabase()
    }

    override func tearDown() {
        scratch?.drop()
        try? FileManager.default.removeItem(at: directory)
    }

    func write(_ path: String, _ sql: String) throws {
        try sql.write(to: directory.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    func connect() throws -> Connection { try Connection(.init(conninfo: scratch.conninfo)) }

    func testAppliesOnceInOrderThenRefusesAChangedFile() throws {
        try write("migrations/0001_accounts.sql", "create table accounts (id int primary key);")
        try write("migrations/0002_balance.sql", "alter table accounts add column balance int not null default 0;")
        let db = try connect()
        let migrator = Migrator(sqlDirectory: directory)

        XCTAssertEqual(try migrator.run(on: db).applied, ["0001_accounts.sql", "0002_balance.sql"])
        let second = try migrator.run(on: db)
        XCTAssertEqual(second.applied, [])
        XCTAssertEqual(second.alreadyApplied, 2)

        try write("migrations/0001_accounts.sql", "create table accounts (id bigint primary key);")
        XCTAssertThrowsError(try migrator.run(on: db)) { error in
            let failure = error as? Migrator.Failure
            XCTAssertEqual(failure?.code, "MIGRATION_CHECKSUM_CHANGED")
            XCTAssertTrue(failure?.message.contains("0001_accounts.sql") ?? false)
        }
    }

    func testFailedMigrationLeavesNoTrace() throws {
        try write("migrations/0001_ok.sql", "create table ok (id int);")
        try write("migrations/0002_broken.sql", "create table half (id int); select no_such_function();")
        let db = try connect()
        XCTAssertThrowsError(try Migrator(sqlDirectory: directory).run(on: db)) { error in
            XCTAssertEqual((error as? Migrator.Failure)?.code, "MIGRATION_FAILED")
        }
        XCTAssertEqual(try db.query("select to_regclass('half') is null as gone").single().decode("gone", as: Bool.self), true)
        XCTAssertEqual(try db.query("select count(*) as n from schema_migrations").single().decode("n", as: Int.self), 1)
    }

    func testFunctionFilesApplyInDependencyOrder() throws {
        try write("migrations/0001_t.sql", "create table t (x int); insert into t values (1), (2);")
        // "a_view" sorts first but needs "b_total", which the second pass finds.
        try write("functions/a_view.sql", "create or replace view a_view as select b_total() as total;")
        try write("functions/b_total.sql", "create or replace function b_total() returns bigint language sql as $$ select sum(x) from t $$;")
        let db = try connect()
        XCTAssertEqual(try Migrator(sqlDirectory: directory).run(on: db).functionFiles, 2)
        XCTAssertEqual(try db.query("select total from a_view").single().decode("total", as: Int.self), 3)
    }

    func testConcurrentRunsApplyEachMigrationOnce() throws {
        try write("migrations/0001_slow.sql", "select pg_sleep(0.3); create table once (id int);")
        let conninfo = scratch.conninfo
        let directory = self.directory!
        let results = Results()
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let db = try Connection(.init(conninfo: conninfo))
                    results.add(try Migrator(sqlDirectory: directory).run(on: db).applied.count)
                } catch {
                    results.add(-1)
                }
            }.start()
        }
        group.wait()
        XCTAssertEqual(results.values.sorted(), [0, 1])
    }
}

private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int] = []
    func add(_ value: Int) { lock.lock(); stored.append(value); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return stored }
}
