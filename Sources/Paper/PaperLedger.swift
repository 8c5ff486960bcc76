import Foundation
import Postgres

/// The paper ledger's SQL functions (docs/paper.md), one method each, on the
/// connection of one bot's session. Every rule lives in SQL; this only calls it.
public struct PaperLedger {
    public let db: Connection

    public init(_ db: Connection) {
        self.db = db
    }

    public struct Bot: Sendable {
        public let id: UUID
        public let name: String
        public let archetype: String
        public let instrument: String
        public let timeframe: String
        public let params: String
        /// An adopted improvement moves it (and the params): the fleet restarts the session.
        public let iteration: Int
    }

    /// ACTIVE bots in PAPER (or the one asked for, whatever its stage).
    public func bots(only: UUID?) throws -> [Bot] {
        try db.query("""
            select b.id, b.name, b.archetype_slug, b.instrument, b.timeframe, b.params::text as params, b.iteration
              from bots b
             where ($1::uuid is null and b.status = 'ACTIVE' and b.stage = 'PAPER') or b.id = $1::uuid
             order by b.name
            """, [only]).rows.map {
            Bot(id: try $0.decode("id"), name: try $0.decode("name"), archetype: try $0.decode("archetype_slug"),
                instrument: try $0.decode("instrument"), timeframe: try $0.decode("timeframe"), params: try $0.decode("params"),
                iteration: try $0.decode("iteration"))
        }
    }

    public func account(for bot: Bot) throws -> UUID {
        try db.query("select create_paper_account($1::text, $2::uuid) as id", ["bot:" + bot.id.uuidString.lowercased(), bot.id])
            .single().decode("id")
    }

    /// The account's session lock (one runner per account); false when another holds it.
    public func lock(account: UUID) throws -> Bool {
        try db.query("select lock_paper_account($1) as ok", [account])
            .single().decode("ok")
    }

    public func startRun(account: UUID, bot: UUID, source: String, config: String) throws -> UUID {
        try db.query("""
            insert into paper_runs (account_id, bot_id, source, config) values ($1, $2, $3, $4::jsonb) returning id
            """, [account, bot, source, config]).single().decode("id")
    }

    /// A run of the account that never finished: its runner died (this process now
    /// holds the account's lock), so the ledger stands at its last booked bar.
    public struct Unfinished {
        public let run: UUID
        public let lastBarTime: Int64?
        public let marketStart: Int64?
    }

    public func unfinishedRun(account: UUID) throws -> Unfinished? {
        guard let row = try db.query("""
            select id, extract(epoch from last_bar_time)::int8 as last_bar, (config ->> 'market_start')::int8 as market_start
              from paper_runs where account_id = $1 and status = 'RUNNING' order by started_at desc limit 1
            """, [account]).first else { return nil }
        return Unfinished(run: try row.decode("id"), lastBarTime: try row.decodeIfPresent("last_bar"),
                          marketStart: try row.decodeIfPresent("market_start"))
    }

    /// Closes a crashed run: FAILED, resumed by `by`. Every older unfinished run of the
    /// account is closed the same way.
    public func closeCrashed(account: UUID, resumedBy run: UUID) throws {
        try db.query("""
            update paper_runs set status = 'FAILED', finished_at = now(),
                   report = jsonb_build_object('exit_status', 'FAILED', 'exit_reason', 'CRASHED', 'resumed_by', $2::text)
             where account_id = $1 and status = 'RUNNING' and id <> $2
            """, [account, run])
    }

    /// The entry orders of a crashed run and of the runs it resumed (the bars being
    /// rebuilt are theirs): those refused or cancelled unfilled (their signals were not
    /// taken), those still working (their fills are still to book), and the exits by
    /// which the kill switch flattened a position (client ids all).
    public func entries(of run: UUID) throws -> (refused: [String], working: [String: UUID], forcedExits: [String]) {
        var refused: [String] = [], working: [String: UUID] = [:], forced: [String] = []
        for row in try db.query("""
            with recursive chain (id) as (
                select $1::uuid
                union
                select (r.config ->> 'resumed_from')::uuid from paper_runs r join chain c on r.id = c.id
                 where r.config ->> 'resumed_from' is not null)
            select o.client_order_id, o.id, o.intent, o.entry_reason,
                   paper_order_working(o.status, p_fillable => true) as working,
                   o.status in ('REJECTED', 'CANCELLED') and o.filled_quantity = 0 as refused
              from paper_orders o where o.run_id in (select id from chain)
            """, [run]).rows {
            let client: String = try row.decode("client_order_id")
            if try row.decode("intent") as String == "EXIT" {
                if try row.decodeIfPresent("entry_reason") == "KILL_SWITCH" { forced.append(client) }
                continue
            }
            if try row.decode("refused") { refused.append(client) }
            if try row.decode("working") { working[client] = try row.decode("id") }
        }
        return (refused, working, forced)
    }

    /// An entry order by its client id, with its fills and whether it still works.
    public func entryOrder(account: UUID, clientOrderId: String) throws
        -> (order: UUID, quantity: Int, working: Bool, fills: [(contracts: Int, price: Double)])? {
        guard let row = try db.query("""
            select id, quantity, paper_order_working(status, p_fillable => true) as working from paper_orders
             where account_id = $1 and client_order_id = $2 and intent = 'ENTRY'
            """, [account, clientOrderId]).first else { return nil }
        let order: UUID = try row.decode("id")
        let fills = try db.query("select quantity, price::float8 as price from paper_fills where order_id = $1 order by id",
                                 [order]).rows.map { (contracts: try $0.decode("quantity") as Int, price: try $0.decode("price") as Double) }
        return (order, try row.decode("quantity"), try row.decode("working"), fills)
    }

    public func cancel(order: UUID, reason: String) throws {
        try db.query("select cancel_paper_order($1, $2)", [order, reason])
    }

    public func beginDay(account: UUID, day: String) throws {
        try db.query("select begin_paper_day($1, $2::date)", [account, day])
    }

    public struct Submitted {
        public let id: UUID
        public let status: String
        public let rejectCode: String?
    }

    public func submit(account: UUID, run: UUID, clientOrderId: String, instrument: String, intent: String, side: String,
                       quantity: Int, reference: Double, stop: Double?, target: Double?, reason: String?) throws -> Submitted {
        let doc: String = try db.query("""
            select submit_paper_order($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)::text as doc
            """, [account, run, clientOrderId, instrument, intent, side, quantity, reference, stop, target, reason])
            .single().decode("doc")
        let object = (try? JSONSerialization.jsonObject(with: Data(doc.utf8))) as? [String: Any] ?? [:]
        return Submitted(id: UUID(uuidString: object["id"] as? String ?? "") ?? UUID(),
                         status: object["status"] as? String ?? "", rejectCode: object["rejectCode"] as? String)
    }

    public func fill(order: UUID, quantity: Int, price: Double, fee: Double, barTime: Date,
                     realized: Double? = nil, tradePnL: Double? = nil) throws {
        try db.query("select record_paper_fill($1, $2, $3, $4, $5, $6, $7)",
                     [order, quantity, price, fee, barTime, realized, tradePnL])
    }

    public func mark(account: UUID, instrument: String, price: Double, unrealized: Double) throws {
        try db.query("select mark_paper_position($1, $2, $3, $4)", [account, instrument, price, unrealized])
    }

    public func sampleEquity(account: UUID) throws -> Double {
        try db.query("select sample_paper_equity($1)::float8 as equity", [account]).single().decode("equity")
    }

    public func booked(run: UUID, barTime: Date) throws {
        try db.query("update paper_runs set last_bar_time = $2, heartbeat_at = now() where id = $1", [run, barTime])
    }

    /// One more error this session (against max_errors_per_session).
    public func countError(run: UUID) throws {
        try db.query("update paper_runs set error_count = error_count + 1 where id = $1", [run])
    }

    public func heartbeat(run: UUID) throws {
        try db.query("update paper_runs set heartbeat_at = now() where id = $1", [run])
    }

    public func cancelWorking(account: UUID, reason: String) throws -> Int {
        try db.query("select cancel_working_paper_orders($1, $2) as n", [account, reason]).single().decode("n")
    }

    public func killSwitchEngaged() throws -> Bool {
        try db.query("select engaged from kill_switch", idempotent: true).single().decode("engaged")
    }

    public func engageKillSwitch(source: String, reason: String) throws {
        try db.query("select set_kill_switch(true, $1, $2)", [source, reason])
    }

    public struct Figures {
        public let cash, equity, unrealized: Double
    }

    public func figures(account: UUID) throws -> Figures {
        let row = try db.query("""
            select cash::float8 as cash, equity::float8 as equity, unrealized::float8 as unrealized
              from paper_account_figures($1)
            """, [account], idempotent: true).single()
        return Figures(cash: try row.decode("cash"), equity: try row.decode("equity"), unrealized: try row.decode("unrealized"))
    }

    /// The run's equity samples and fills, for its summary.
    func history(account: UUID, run: UUID) throws -> (equity: [(time: String, equity: Double)], fills: [RunSummary.Trade]) {
        let since = "(select started_at from paper_runs where id = $2)"
        let equity = try db.query("""
            select to_char(at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as at, equity::float8 as equity
              from paper_equity where account_id = $1 and at >= \(since) order by id
            """, [account, run]).rows.map { (try $0.decode("at") as String, try $0.decode("equity") as Double) }
        let fills = try db.query("""
            select to_char(bar_time at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as at, side, price::float8 as price,
                   realized_pnl::float8 as realized
              from paper_fills where account_id = $1 and created_at >= \(since) order by id
            """, [account, run]).rows.map {
            RunSummary.Trade(time: try $0.decode("at"), side: try $0.decode("side"), price: try $0.decode("price"),
                             realized: try $0.decodeIfPresent("realized"))
        }
        return (equity, fills)
    }

    public func finishRun(run: UUID, status: String, report: String) throws {
        try db.query("update paper_runs set status = $2, finished_at = now(), report = $3::jsonb where id = $1",
                     [run, status, report])
    }
}
