import Backtest
import Foundation
import Market
import MarketData
import Postgres
import TestSupport
import XCTest

/// The fleet runner (`gauntlet runner` without `--bot`) trading what the planner
/// assigns, the watchdog ending a frozen loop, a run's files, and partial fills.
extension PaperRunnerTests {
    private func jobStatus(_ bot: UUID) throws -> String? {
        try database.text("""
            select status || ' ' || status_reason from bot_jobs where bot_id = $1 and job_type = 'RUNNER_START'
             order by created_at desc limit 1
            """, [bot])
    }

    /// The planner gives the PAPER bot a RUNNER_START job; the runner claims it and
    /// trades (RUNNER_RUNNING); the bot leaving PAPER ends its session (LEFT_PAPER, job
    /// COMPLETED) while the runner idles; SIGTERM releases a held job back to the queue.
    /// Every run leaves config.json, events.jsonl, metrics.csv and metrics.json, none of
    /// them holding the provider key in the runner's environment.
    func testTheFleetRunnerTradesWhatThePlannerAssigns() throws {
        let bot = try paperBot()
        try database.db.query("select planner_tick()")
        XCTAssertEqual(try jobStatus(bot), "QUEUED PAPER_NEEDS_RUNNER")
        let secret = "dummy-databento-key-\(UUID().uuidString)"
        let pid = try startRunner("fleet", ["--source", "synthetic", "--bar-seconds", "0.05"],
                                  environment: ["DATABENTO_API_KEY": secret])
        XCTAssertTrue(try database.waitUntil(timeout: 30) {
            try database.text("select state from bot_now where bot_id = $1", [bot]) == "RUNNER_RUNNING"
                && database.int("select count(*)::int from paper_equity") > 20
        }, "the runner never traded the bot: \(log("fleet"))")

        try database.db.query("update bots set stage = 'LAB' where id = $1", [bot])
        XCTAssertTrue(try database.waitUntil(timeout: 30) { try jobStatus(bot) == "COMPLETED COMPLETED" },
                      "leaving PAPER did not end the job: \(String(describing: try? jobStatus(bot)))")
        let first = try XCTUnwrap(try database.text("select id::text from paper_runs where bot_id = $1", [bot]))
        XCTAssertEqual(try database.text("select status || ' ' || (report ->> 'exit_reason') from paper_runs where id = $1::uuid",
                                         [first]), "COMPLETED LEFT_PAPER")
        XCTAssertNil(Subprocess.waitForExit(pid, timeout: 1.5), "the runner idles without PAPER bots")
        XCTAssertTrue(log("fleet").contains("idle"), log("fleet"))

        try database.db.query("update bots set stage = 'PAPER' where id = $1", [bot])
        try database.db.query("select planner_tick()")
        XCTAssertTrue(try database.waitUntil(timeout: 30) { try jobStatus(bot)?.hasPrefix("RUNNING") == true })
        kill(pid, SIGTERM)
        XCTAssertEqual(Subprocess.waitForExit(pid, timeout: 30), 0, log("fleet"))
        XCTAssertEqual(try jobStatus(bot), "QUEUED WORKER_SHUTDOWN", "SIGTERM puts the held job back in the queue")
        XCTAssertEqual(try database.int("select count(*)::int from paper_runs where status = 'COMPLETED'"), 2)

        let files = directory.appendingPathComponent("runs/\(first)")
        let events = try String(contentsOf: files.appendingPathComponent("events.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(events.first?["event"] as? String, "RUN_STARTED")
        XCTAssertEqual(events.last?["event"] as? String, "RUN_FINISHED")
        XCTAssertTrue(events.contains { $0["event"] as? String == "GRACEFUL SHUTDOWN INITIATED" && $0["reason"] as? String == "LEFT_PAPER" })
        let csv = try String(contentsOf: files.appendingPathComponent("metrics.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first.map(String.init), "elapsed_seconds,bars,orders,fills,rejects,trades,position,price,equity,unrealized,rss_mib")
        XCTAssertGreaterThan(csv.count, 1, "a row per heartbeat")
        let metrics = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: files.appendingPathComponent("metrics.json")))
                                    as? [String: Any])
        XCTAssertGreaterThan((metrics["bar_booking_ms"] as? [String: Any])?["count"] as? Int ?? 0, 0)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: files.appendingPathComponent("config.json")))
                                   as? [String: Any])
        XCTAssertEqual(config["source"] as? String, "synthetic")
        for name in try FileManager.default.contentsOfDirectory(atPath: files.path) {
            let text = try String(contentsOf: files.appendingPathComponent(name), encoding: .utf8)
            XCTAssertFalse(text.contains(secret), "\(name) holds the provider key")
        }
        XCTAssertFalse(log("fleet").contains(secret), "the log holds the provider key")
    }

    /// A session whose loop blocks (here on a row lock the test holds on its run) is ended
    /// by the watchdog: the runner exits 70 and logs WATCHDOG_TIMEOUT; the next runner
    /// resumes the run it left.
    func testTheWatchdogEndsAFrozenLoop() throws {
        let bot = try paperBot()
        let arguments = ["--bot", bot.uuidString, "--source", "synthetic", "--bar-seconds", "0.05", "--watchdog", "3"]
        let pid = try startRunner("frozen", arguments)
        XCTAssertTrue(try database.waitUntil(timeout: 30) {
            try database.int("select count(*)::int from paper_runs where heartbeat_at is not null") > 0
        }, log("frozen"))
        let blocker = try Connection(.init(conninfo: database.conninfo, applicationName: "watchdog-test"))
        try blocker.query("begin")
        try blocker.query("select 1 from paper_runs where bot_id = $1 for update", [bot])
        let started = Date()
        XCTAssertEqual(Subprocess.waitForExit(pid, timeout: 30), 70, log("frozen"))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 2, "not before the watchdog's limit")
        XCTAssertTrue(log("frozen").contains("WATCHDOG_TIMEOUT"), log("frozen"))
        try blocker.query("rollback")

        let next = try startRunner("thawed", arguments + ["--duration", "2"])
        XCTAssertEqual(Subprocess.waitForExit(next, timeout: 60), 0, log("thawed"))
        XCTAssertTrue(log("thawed").contains("resuming a crashed run"), log("thawed"))
    }

    /// A stream that goes silent (a replay so slow that no bar comes): DATA_STALE after
    /// --stale-after, then a graceful stop after --stop-after, exit 0, flat, the report
    /// saying why.
    func testStaleDataBlocksThenStopsGracefully() throws {
        let bot = try paperBot()
        let pid = try startRunner("stale", ["--bot", bot.uuidString, "--source", "replay:\(Self.esFile)@0.001",
                                            "--from", "2013-10-07", "--to", "2013-10-19",
                                            "--stale-after", "1", "--stop-after", "3"])
        XCTAssertEqual(Subprocess.waitForExit(pid, timeout: 60), 0, log("stale"))
        let lines = log("stale")
        let stale = try XCTUnwrap(lines.range(of: "DATA_STALE"), lines)
        let shutdown = try XCTUnwrap(lines.range(of: "GRACEFUL SHUTDOWN INITIATED"), lines)
        XCTAssertLessThan(stale.lowerBound, shutdown.lowerBound, "stale first, then the stop")
        XCTAssertEqual(try database.text("""
            select status || ' ' || (report ->> 'exit_reason') || ' ' || (report ->> 'stale_events') from paper_runs
             where bot_id = $1
            """, [bot]), "STOPPED DATA_STALE 1")
        XCTAssertEqual(try database.int("select count(*)::int from paper_positions where quantity <> 0"), 0, "flat")
    }

    /// Two-contract entries on a replay where a fill may take only one and a half
    /// contracts of the quietest entry bar's volume: some orders fill in parts over several bars
    /// (PARTIALLY_FILLED, then FILLED or cancelled when the trade closes), and the ledger
    /// still holds together to the cent: every trade's net PnL is its fills' gross minus
    /// the commission on every contract in and out, and cash is the start plus them all.
    func testPartialFillsTakeAShareOfTheBarsVolume() throws {
        let (bot, share) = try partialFillBot()
        let pid = try startRunner("partial", ["--bot", bot.uuidString, "--source", "replay:\(Self.esFile)@1000000",
                                              "--from", "2013-10-07", "--to", "2013-10-19",
                                              "--volume-share", "\(share)"])
        XCTAssertEqual(Subprocess.waitForExit(pid, timeout: 240), 0, log("partial"))

        XCTAssertGreaterThan(try database.int("""
            select count(distinct order_id)::int from paper_order_events where to_status = 'PARTIALLY_FILLED'
            """), 0, "some entry filled in parts (share \(share) of volume)")
        XCTAssertGreaterThan(try database.int("select count(*)::int from paper_fills f join paper_orders o on o.id = f.order_id where o.intent = 'EXIT'"), 0)
        // Each trade recomputed from the ledger's own fill prices: gross = Σ over its entry
        // fills of (exit − entry) × side × $50 × contracts; net = gross − every fill's fee.
        let mismatched = try database.int("""
            with exits as (
                select x.id, x.price, x.quantity, x.fee, x.realized_pnl, x.trade_pnl,
                       coalesce((select max(p.id) from paper_fills p join paper_orders po on po.id = p.order_id
                                  where po.intent = 'EXIT' and p.id < x.id), 0) as after
                  from paper_fills x join paper_orders xo on xo.id = x.order_id where xo.intent = 'EXIT'
            ), trades as (
                select x.*, sum(e.quantity) as contracts, sum(e.fee) as entry_fees,
                       sum((x.price - e.price) * case eo.side when 'BUY' then 1 else -1 end * 50 * e.quantity) as gross
                  from exits x join paper_fills e on e.id > x.after and e.id < x.id
                  join paper_orders eo on eo.id = e.order_id and eo.intent = 'ENTRY'
                 group by x.id, x.price, x.quantity, x.fee, x.realized_pnl, x.trade_pnl, x.after)
            select count(*)::int from trades
             where contracts <> quantity or abs(realized_pnl - gross) > 0.005
                or abs(trade_pnl - (gross - fee - entry_fees)) > 0.011
            """)
        XCTAssertEqual(mismatched, 0, "each trade: exit size = contracts filled, gross from the fill prices, net = gross − every fee")
        let (cash, net): (Double, Double) = try {
            let row = try database.db.query("""
                select a.cash::float8 as cash, (select coalesce(sum(trade_pnl), 0)::float8 from paper_fills) as net
                  from paper_accounts a where a.bot_id = $1
                """, [bot]).single()
            return (try row.decode("cash"), try row.decode("net"))
        }()
        XCTAssertEqual(cash, 50_000 + net, accuracy: 0.005, "cash = starting + Σ trade net PnL")
        XCTAssertEqual(try database.int("select count(*)::int from paper_positions where quantity <> 0"), 0, "flat at the end")
        XCTAssertEqual(try database.int("""
            select count(*)::int from paper_orders where status in ('SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED')
            """), 0, "nothing left working")
    }

    /// The ES breakout bot trading two contracts, and a volume share at which the
    /// quietest entry bar of its backtest can fill only one of them.
    private func partialFillBot() throws -> (UUID, Double) {
        let bot = try paperBot()
        try database.db.query("update bots set params = params || '{\"contracts\": 2}' where id = $1", [bot])
        let es = try XCTUnwrap(Instruments.spec("ES"))

        let bars = try FileBarSource(path: Self.esFile).fetchBars(BarRequest(
            instrument: es, timeframe: .m5, from: ISO8601DateFormatter().date(from: "2013-10-07T13:30:00Z")!,
            to: ISO8601DateFormatter().date(from: "2013-10-19T00:00:00Z")!)).bars
        // The quietest entry bar of the backtest can fill one of the two contracts.
        let archetype = try XCTUnwrap(Archetypes.named(slug))
        let params = try archetype.params(fromJSON: try XCTUnwrap(try database.text(
            "select params::text from bots where id = $1", [bot])))
        let trades = try Backtester.run(BacktestRequest(archetype: archetype, params: params, instrument: es, bars: bars,
                                                        dataSource: "file")).trades
        let times = Set(trades.map(\.entryTime))
        let entryVolumes = (0..<bars.count).filter { times.contains(isoUTC(bars.timestamps[$0])) }.map { bars.volume[$0] }
        let share = 1.5 / (try XCTUnwrap(entryVolumes.min()))
        return (bot, share)
    }

    /// `kill -9` six times while partial fills bind, each time restarted: the ledger ends
    /// with exactly the fills, position and cash of a straight run of the same replay
    /// (the ledger wiped and the replay run again without a kill).
    func testKillNineWithPartialFillsEndsAsAStraightRun() throws {
        let (bot, share) = try partialFillBot()
        let arguments = ["--bot", bot.uuidString, "--source", "replay:\(Self.esFile)@60000",
                         "--from", "2013-10-07", "--to", "2013-10-19", "--volume-share", "\(share)"]
        for attempt in 1...6 {
            let pid = try startRunner("crash\(attempt)", arguments)
            let booked = try database.int("select count(*)::int from paper_equity")
            XCTAssertTrue(try database.waitUntil(timeout: 60) {
                try database.int("select count(*)::int from paper_equity") > booked + 40 + 37 * attempt % 100
            }, log("crash\(attempt)"))
            kill(pid, SIGKILL)
            _ = Subprocess.waitForExit(pid, timeout: 10)
        }
        XCTAssertEqual(Subprocess.waitForExit(try startRunner("resumed", arguments), timeout: 240), 0, log("resumed"))
        let ledger = """
            select coalesce(string_agg(o.intent || ' ' || f.side || ' ' || f.quantity || '@' || f.price || ' '
                                       || to_char(f.bar_time at time zone 'UTC', 'MM-DD HH24:MI'), ', ' order by f.id), '')
                   || ' | cash ' || (select cash from paper_accounts where bot_id = $1)
                   || ' | open ' || (select coalesce(sum(abs(quantity)), 0) from paper_positions)
              from paper_fills f join paper_orders o on o.id = f.order_id
            """
        let crashed = try XCTUnwrap(try database.text(ledger, [bot]))
        XCTAssertGreaterThan(try database.int("""
            select count(distinct order_id)::int from paper_order_events where to_status = 'PARTIALLY_FILLED'
            """), 0, "partial fills bound")

        try database.db.query("""
            truncate paper_order_events, paper_fills, paper_orders, paper_positions, paper_equity, paper_sessions, paper_runs cascade
            """)
        try database.db.query("""
            update paper_accounts set cash = starting_cash, trading_day = null, day_start_equity = null, halted_day = null,
                   halt_reason = null, consecutive_losses = 0, evidence_since = null, peak_equity = null, max_drawdown_usd = 0
            """)
        XCTAssertEqual(Subprocess.waitForExit(try startRunner("replay", arguments), timeout: 240), 0, log("replay"))
        XCTAssertEqual(try database.text(ledger, [bot]), crashed, "the crashed and resumed ledger is the straight run's")
    }
}
