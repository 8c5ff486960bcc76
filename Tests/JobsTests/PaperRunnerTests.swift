import Backtest
import Foundation
import Market
import MarketData
import Postgres
import TestSupport
import XCTest

/// `gauntlet runner` as a process against a scratch database: a replay of the real ES
/// file books, through the SQL ledger, exactly the trades the backtest of the same bars
/// reports; a second runner on the same account exits ALREADY_RUNNING; SIGTERM stops
/// gracefully with a report whose net PnL is the equity's change; the kill switch from
/// the environment refuses every entry.
final class PaperRunnerTests: WorkerTestCase {
    var runners: [pid_t] = []
    let slug = "ib-breakout-es-5m"
    static let esFile = ScratchDatabase.packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/data/es-1m/ES_front_month_1m_utc.csv").path

    override func tearDown() {
        for pid in runners where Subprocess.waitForExit(pid, timeout: 0) == nil {
            kill(pid, SIGKILL)
            _ = Subprocess.waitForExit(pid, timeout: 10)
        }
        if (testRun?.failureCount ?? 0) > 0 {
            for name in ["a", "b", "replay", "killed", "resumed", "fleet", "frozen", "thawed", "partial", "stale"]
                + (1...20).map({ "crash\($0)" }) {
                let log = (try? String(contentsOfFile: directory.appendingPathComponent("runner-\(name).log").path,
                                       encoding: .utf8)) ?? ""
                if !log.isEmpty { print("---- runner \(name)\n" + log.split(separator: "\n").suffix(30).joined(separator: "\n")) }
            }
        }
        super.tearDown()
    }

    /// The seeded bot of `slug`, with its paper account's limits opened wide, so that
    /// nothing but the strategy decides (the limits have pgTAP of their own).
    func paperBot() throws -> UUID {
        let index = try XCTUnwrap(Archetypes.all.firstIndex { $0.slug == slug })
        let bot = try database.seedBots(index + 1)[index]
        try database.db.query("update bots set stage = 'PAPER' where id = $1", [bot])
        try database.db.query("select create_paper_account('bot:' || $1::text, $1::uuid)", [bot])
        try database.db.query("""
            update risk_limits set max_loss_per_trade_usd = 1000000, max_daily_loss_usd = 1000000, max_daily_loss_pct = 100,
                                   min_reward_risk = 0, max_orders_per_minute = 100000
            """)
        return bot
    }

    func startRunner(_ name: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> pid_t {
        var environment = ProcessInfo.processInfo.environment
        environment["GAUNTLET_DATABASE_URL"] = database.conninfo
        environment["GAUNTLET_VAR"] = directory.path
        environment.merge(extra) { _, new in new }
        let pid = try Subprocess.spawn(WorkerProcess.binary, ["runner"] + arguments, environment: environment,
                                       logPath: directory.appendingPathComponent("runner-\(name).log").path)
        runners.append(pid)
        return pid
    }

    func log(_ name: String) -> String {
        (try? String(contentsOfFile: directory.appendingPathComponent("runner-\(name).log").path, encoding: .utf8)) ?? ""
    }

    func testAReplayBooksTheBacktestsTradesThroughTheLedger() throws {
        let bot = try paperBot()
        let pid = try startRunner("replay", ["--bot", bot.uuidString, "--source", "replay:\(Self.esFile)@1000000",
                                             "--from", "2013-10-07", "--to", "2013-10-19"])
        XCTAssertEqual(Subprocess.waitForExit(pid, timeout: 240), 0, log("replay"))

        let archetype = try XCTUnwrap(Archetypes.named(slug))
        let es = try XCTUnwrap(Instruments.spec("ES"))
        let file = FileBarSource(path: Self.esFile)
        let bars = try file.fetchBars(BarRequest(instrument: es, timeframe: .m5,
                                                 from: ISO8601DateFormatter().date(from: "2013-10-07T00:00:00Z")!,
                                                 to: ISO8601DateFormatter().date(from: "2013-10-19T00:00:00Z")!)).bars
        let trades = try Backtester.run(BacktestRequest(archetype: archetype, params: archetype.defaults, instrument: es,
                                                        bars: bars, dataSource: "file")).trades
        XCTAssertGreaterThanOrEqual(trades.count, 5, "one opening-range trade a session, ten sessions")
        let exits = try database.db.query("""
            select f.price::float8 as price, f.realized_pnl::float8 as realized, to_char(f.bar_time at time zone 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at
              from paper_fills f join paper_orders o on o.id = f.order_id
             where o.intent = 'EXIT' order by f.bar_time
            """).rows
        XCTAssertEqual(exits.count, trades.count, "one exit fill per backtest trade")
        for (row, trade) in zip(exits, trades) {
            XCTAssertEqual(try row.decode("price") as Double, trade.exitPrice, trade.exitTime)
            XCTAssertEqual(try row.decode("realized") as Double, trade.grossPnL, trade.exitTime)
            XCTAssertEqual(try row.decode("at") as String, trade.exitTime)
        }
        let cash: Double = try database.db.query("""
            select cash::float8 as cash from paper_accounts where bot_id = $1
            """, [bot]).single().decode("cash")
        let net = trades.reduce(0) { $0 + $1.pnl }
        XCTAssertEqual(cash, 50_000 + net, accuracy: 0.005, "cash = starting + Σ net PnL, to the cent")
        XCTAssertEqual(try database.int("select count(*)::int from paper_positions where quantity <> 0"), 0, "flat at the end")
        let report = try XCTUnwrap(try database.text("select report::text from paper_runs where bot_id = $1", [bot]))
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        XCTAssertEqual(doc["exit_reason"] as? String, "STREAM_END")
        XCTAssertEqual((doc["net_pnl"] as? NSNumber)?.doubleValue ?? .nan, (net * 100).rounded() / 100, accuracy: 0.005)
    }

    func testASecondRunnerIsRefusedAndSIGTERMStopsGracefully() throws {
        let bot = try paperBot()
        let first = try startRunner("a", ["--bot", bot.uuidString, "--source", "synthetic", "--bar-seconds", "0.05"])
        XCTAssertTrue(try database.waitUntil(timeout: 30) {
            try database.int("select count(*)::int from paper_runs where heartbeat_at is not null") > 0
        }, "the first runner never booked a bar: \(log("a"))")
        let live = try startRunner("live", ["--bot", bot.uuidString, "--env", "live"])
        XCTAssertNotEqual(Subprocess.waitForExit(live, timeout: 30), 0)
        XCTAssertTrue(log("live").contains("LIVE_DISABLED"), log("live"))
        let second = try startRunner("b", ["--bot", bot.uuidString, "--source", "synthetic", "--bar-seconds", "0.05"])
        XCTAssertNotEqual(Subprocess.waitForExit(second, timeout: 30), 0)
        XCTAssertTrue(log("b").contains("ALREADY_RUNNING"), log("b"))

        Thread.sleep(forTimeInterval: 1.5)
        kill(first, SIGTERM)
        XCTAssertEqual(Subprocess.waitForExit(first, timeout: 30), 0, log("a"))
        XCTAssertTrue(log("a").contains("GRACEFUL SHUTDOWN INITIATED"))
        XCTAssertTrue(log("a").contains("\"message\":\"heartbeat\""))
        let run: UUID = try database.db.query("select id from paper_runs where bot_id = $1", [bot]).single().decode("id")
        let path = directory.appendingPathComponent("runs/\(run.uuidString.lowercased())/final_report.json").path
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        XCTAssertEqual(report["exit_reason"] as? String, "SIGTERM")
        let summary = try String(contentsOfFile: directory.appendingPathComponent(
            "runs/\(run.uuidString.lowercased())/summary.html").path, encoding: .utf8)
        XCTAssertTrue(summary.contains("<svg") || summary.contains("Too few equity samples"), "summary.html has its chart")
        XCTAssertEqual(report["exit_status"] as? String, "COMPLETED")
        let starting = try XCTUnwrap((report["starting_equity"] as? NSNumber)?.doubleValue)
        let ending = try XCTUnwrap((report["ending_equity"] as? NSNumber)?.doubleValue)
        XCTAssertEqual(try XCTUnwrap((report["net_pnl"] as? NSNumber)?.doubleValue), ending - starting, accuracy: 0.005)
        XCTAssertEqual(try database.text("select status from paper_runs where id = $1", [run]), "COMPLETED")
        XCTAssertEqual(try database.int("""
            select count(*)::int from paper_orders where status in ('SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED')
            """), 0, "no working order after the stop")
        XCTAssertEqual(try database.int("select count(*)::int from paper_positions where quantity <> 0"), 0, "flat")
    }

    func testTheKillSwitchFromTheEnvironmentRefusesEveryEntry() throws {
        let bot = try paperBot()
        let pid = try startRunner("killed", ["--bot", bot.uuidString, "--source", "replay:\(Self.esFile)@1000000",
                                             "--from", "2013-10-07", "--to", "2013-10-12"],
                                  environment: ["GAUNTLET_KILL_SWITCH": "1"])
        XCTAssertEqual(Subprocess.waitForExit(pid, timeout: 120), 0, log("killed"))
        XCTAssertEqual(try database.text("select source from kill_switch where engaged"), "env")
        XCTAssertGreaterThan(try database.int("select count(*)::int from paper_orders where reject_code = 'KILL_SWITCH'"), 0)
        XCTAssertEqual(try database.int("select count(*)::int from paper_fills"), 0, "no trade while the switch is engaged")
    }

    /// `kill -9` twenty times at random moments (a random number of booked bars, logged
    /// with the seed), each time restarted with the same arguments: the restarted runner
    /// rebuilds the ledger's state from the bars it had booked and the entries it had
    /// refused, and the ledger ends exactly as a straight run would — every backtest
    /// trade once, cash to the cent.
    func testKillNineAndRestartResumeWithoutDuplicatesOrLosses() throws {
        let bot = try paperBot()
        let arguments = ["--bot", bot.uuidString, "--source", "replay:\(Self.esFile)@60000",
                         "--from", "2013-10-07", "--to", "2013-10-19"]
        let seed = UInt64.random(in: 1...UInt64.max)
        var random = SplitMix64(seed: seed)
        var waits: [Int] = []
        for attempt in 1...20 {
            let pid = try startRunner("crash\(attempt)", arguments)
            let booked = try database.int("select count(*)::int from paper_equity")
            let wait = 10 + Int(random.next() % 90)
            waits.append(wait)
            XCTAssertTrue(try database.waitUntil(timeout: 60) {
                try database.int("select count(*)::int from paper_equity") > booked + wait
            }, "the runner booked too little before its kill: \(log("crash\(attempt)"))")
            kill(pid, SIGKILL)
            XCTAssertEqual(Subprocess.waitForExit(pid, timeout: 10), 128 + SIGKILL)
        }
        print("kill -9 after these many bars each (seed \(seed)): \(waits)")
        let last = try startRunner("resumed", arguments)
        XCTAssertEqual(Subprocess.waitForExit(last, timeout: 240), 0, log("resumed"))
        XCTAssertTrue(log("resumed").contains("resuming a crashed run"))

        let archetype = try XCTUnwrap(Archetypes.named(slug))
        let es = try XCTUnwrap(Instruments.spec("ES"))
        let bars = try FileBarSource(path: Self.esFile).fetchBars(BarRequest(
            instrument: es, timeframe: .m5, from: ISO8601DateFormatter().date(from: "2013-10-07T00:00:00Z")!,
            to: ISO8601DateFormatter().date(from: "2013-10-19T00:00:00Z")!)).bars
        let trades = try Backtester.run(BacktestRequest(archetype: archetype, params: archetype.defaults, instrument: es,
                                                        bars: bars, dataSource: "file")).trades
        let exits = try database.db.query("""
            select f.price::float8 as price from paper_fills f join paper_orders o on o.id = f.order_id
             where o.intent = 'EXIT' order by f.bar_time
            """).rows.map { try $0.decode("price") as Double }
        XCTAssertEqual(exits, trades.map(\.exitPrice), "every trade booked once, none lost, none twice")
        XCTAssertEqual(try database.int("select count(*)::int from paper_fills"), trades.count * 2)
        let cash: Double = try database.db.query("select cash::float8 as cash from paper_accounts where bot_id = $1", [bot])
            .single().decode("cash")
        XCTAssertEqual(cash, 50_000 + trades.reduce(0) { $0 + $1.pnl }, accuracy: 0.005)
        XCTAssertEqual(try database.int("""
            select count(*)::int from paper_runs where status = 'FAILED' and report ->> 'exit_reason' = 'CRASHED'
            """), 20, "each killed run is closed as crashed by the next")
        XCTAssertEqual(try database.text("select status from paper_runs order by started_at desc limit 1"), "COMPLETED")
    }
}
