import Foundation
import TestSupport
import XCTest

/// `gauntlet timer` processes against one scratch database: one leader, no due slot
/// run twice, a clean exit on SIGTERM, and a follower that takes over.
final class TimerTests: WorkerTestCase {
    private var timers: [(pid: pid_t, log: String)] = []

    override func tearDown() {
        for timer in timers where Subprocess.waitForExit(timer.pid, timeout: 0) == nil {
            kill(timer.pid, SIGKILL)
            _ = Subprocess.waitForExit(timer.pid, timeout: 10)
        }
        if (testRun?.failureCount ?? 0) > 0 {
            for timer in timers { print("---- timer \(timer.pid)\n" + log(timer.log)) }
        }
        timers = []
        super.tearDown()
    }

    func testTwoTimersElectOneLeaderAndNeverRunASlotTwice() throws {
        // Every schedule due each second, so a few seconds hold many slots.
        try database.db.query("update schedules set interval_seconds = 1, next_due_at = now()")
        let first = try startTimer("first")
        let second = try startTimer("second")
        XCTAssertTrue(try database.waitUntil(timeout: 20) {
            try database.int("select count(*)::int from schedule_runs where schedule_name = 'lease_rescuer'") >= 4
        }, "the timers ran too few schedules")

        XCTAssertEqual(try database.int("""
            select count(*)::int from (select 1 from schedule_runs group by schedule_name, due_at having count(*) > 1) d
            """), 0)
        XCTAssertEqual(try database.int("""
            select count(*)::int from pg_locks l join pg_stat_activity a on a.pid = l.pid
             where l.locktype = 'advisory' and l.granted and a.application_name = 'gauntlet-timer'
               and a.datname = current_database()
            """), 1, "exactly one timer holds the leader lock")
        let logs = [log(first.log), log(second.log)]
        let leaders = logs.filter { $0.contains("\"message\":\"leader: running due schedules\"") }
        XCTAssertEqual(leaders.count, 1, "exactly one leader")
        // Each slot the database recorded was logged once, by the leader only.
        let runLines = logs.flatMap { $0.split(separator: "\n") }.filter { $0.contains("\"message\":\"schedule ran\"") }
        let follower = logs.first { !$0.contains("leader: running due schedules") } ?? ""
        XCTAssertFalse(follower.contains("\"message\":\"schedule ran\""), "the follower ran nothing")
        XCTAssertEqual(Set(runLines.map(String.init)).count, runLines.count)
        XCTAssertFalse(logs.joined().contains("\"level\":\"error\""), logs.joined())

        // The leader stops cleanly; the follower takes over within a few ticks.
        let leaderIndex = logs[0].contains("leader: running due schedules") ? 0 : 1
        let leader = [first, second][leaderIndex], heir = [first, second][1 - leaderIndex]
        kill(leader.pid, SIGTERM)
        XCTAssertEqual(Subprocess.waitForExit(leader.pid, timeout: 10), 0)
        XCTAssertTrue(try database.waitUntil(timeout: 10) {
            self.log(heir.log).contains("leader: running due schedules")
        }, "the follower did not take over")
        let handover = try database.int("select count(*)::int from schedule_runs")
        XCTAssertTrue(try database.waitUntil(timeout: 10) {
            try database.int("select count(*)::int from schedule_runs") > handover
        }, "the new leader runs schedules")
        XCTAssertEqual(try database.int("""
            select count(*)::int from (select 1 from schedule_runs group by schedule_name, due_at having count(*) > 1) d
            """), 0)
        kill(heir.pid, SIGTERM)
        XCTAssertEqual(Subprocess.waitForExit(heir.pid, timeout: 10), 0)
        for name in ["first", "second"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(name).pid").path),
                           "the \(name) timer's pidfile is removed on exit")
        }
    }

    /// The leader's session lock has a key of its own (advisory_locks 'timer_leader'),
    /// so a DBA's `select planner_tick()` (or pg_cron's) never waits for the timer
    /// process. Before, both used one key and the call blocked for the timer's life.
    func testAManualPlannerTickDoesNotWaitForTheTimer() throws {
        // Nothing due for a long while: the timer only holds its leader lock.
        try database.db.query("update schedules set next_due_at = now() + interval '1 hour'")
        let timer = try startTimer("leader")
        XCTAssertTrue(try database.waitUntil(timeout: 10) { self.log(timer.log).contains("leader: running due schedules") },
                      "the timer did not become leader")
        try database.db.query("set statement_timeout = '2s'")
        defer { _ = try? database.db.query("reset statement_timeout") }
        let started = Date()
        XCTAssertNoThrow(try database.db.query("select planner_tick()"), "planner_tick waited for the timer's lock")
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        XCTAssertNoThrow(try database.db.query("select supervisor_tick()"), "supervisor_tick waited for the timer's lock")
        XCTAssertEqual(try database.int(
            "select count(distinct key)::int from advisory_locks where name in ('timer_leader', 'planner_tick', 'supervisor_tick')"),
            3, "every lock has a key of its own")
    }

    /// The leader's database session dies (PostgreSQL restarts, or its backend is
    /// terminated, as here) and its connection reconnects silently on the next tick —
    /// without the session lock. It must compete for leadership again before ticking:
    /// when a second timer starts, exactly one of them runs schedules. Before, both did
    /// (issue 13: two timer leaders after a PostgreSQL restart).
    func testALeaderWhoseSessionDiedCompetesAgain() throws {
        try database.db.query("update schedules set interval_seconds = 1, next_due_at = now()")
        let first = try startTimer("first")
        XCTAssertTrue(try database.waitUntil(timeout: 10) { self.log(first.log).contains("leader: running due schedules") })
        try database.db.query("""
            select pg_terminate_backend(pid) from pg_stat_activity
             where application_name = 'gauntlet-timer' and datname = current_database()
            """)
        XCTAssertTrue(try database.waitUntil(timeout: 10) {
            try database.int("""
                select count(*)::int from pg_stat_activity where application_name = 'gauntlet-timer' and datname = current_database()
                """) == 1
        }, "the timer reconnected")
        let second = try startTimer("second")
        Thread.sleep(forTimeInterval: 3)
        let ran = { (path: String) in self.log(path).split(separator: "\n").filter { $0.contains("\"message\":\"schedule ran\"") }.count }
        let before = (ran(first.log), ran(second.log))
        Thread.sleep(forTimeInterval: 4)
        let leaders = [ran(first.log) > before.0, ran(second.log) > before.1].filter { $0 }.count
        XCTAssertEqual(leaders, 1, "exactly one timer runs schedules after the reconnect")
        XCTAssertEqual(try database.int("""
            select count(*)::int from pg_locks l join pg_stat_activity a on a.pid = l.pid
             where l.locktype = 'advisory' and l.granted and a.application_name = 'gauntlet-timer'
               and a.datname = current_database()
            """), 1, "and it is the one holding the leader lock")
    }

    /// The timer rotates `$GAUNTLET_VAR/log/*.log` past GAUNTLET_LOG_MAX_BYTES by copy and
    /// truncate: the copy is `.1`, older copies shift (the oldest beyond
    /// GAUNTLET_LOG_KEEP goes), and a writer holding the file with O_APPEND (as `>>`
    /// does) goes on at the start of the emptied file.
    func testTheTimerRotatesLogsPastTheirSize() throws {
        let logs = directory.appendingPathComponent("log")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let path = logs.appendingPathComponent("host.log").path
        for index in 1...3 { try "copy \(index)\n".write(toFile: "\(path).\(index)", atomically: true, encoding: .utf8) }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        let old = String(repeating: "x", count: 4999) + "\n"
        _ = old.withCString { write(fd, $0, strlen($0)) }
        let timer = try startTimer("rotating", environment: ["GAUNTLET_LOG_MAX_BYTES": "2048", "GAUNTLET_LOG_KEEP": "3"])
        XCTAssertTrue(try database.waitUntil(timeout: 10) {
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue == 0
        }, "host.log was not rotated: \(self.log(timer.log))")
        XCTAssertEqual(try String(contentsOfFile: "\(path).1", encoding: .utf8), old, "the copy holds the old lines")
        XCTAssertEqual(try String(contentsOfFile: "\(path).2", encoding: .utf8), "copy 1\n")
        XCTAssertEqual(try String(contentsOfFile: "\(path).3", encoding: .utf8), "copy 2\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(path).4"), "beyond GAUNTLET_LOG_KEEP the oldest goes")
        _ = "after\n".withCString { write(fd, $0, strlen($0)) }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "after\n",
                       "the writer goes on at the start of the emptied file")
        XCTAssertTrue(log(timer.log).contains("logs rotated"))
    }

    private func startTimer(_ name: String, environment extra: [String: String] = [:]) throws -> (pid: pid_t, log: String) {
        var environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        environment["GAUNTLET_DATABASE_URL"] = database.conninfo
        environment["GAUNTLET_VAR"] = directory.path
        let logPath = directory.appendingPathComponent("\(name).log").path
        let pid = try Subprocess.spawn(WorkerProcess.binary, [
            "timer", "--interval", "0.2", "--pidfile", directory.appendingPathComponent("\(name).pid").path,
        ], environment: environment, logPath: logPath)
        timers.append((pid, logPath))
        return (pid, logPath)
    }

    private func log(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
}
