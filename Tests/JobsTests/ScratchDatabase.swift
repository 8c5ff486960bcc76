import Backtest
import Foundation
import Market
import Postgres
import XCTest

/// A fresh database per test, migrated with the repo's sql/ and dropped afterwards,
/// on the cluster named by GAUNTLET_TEST_DATABASE_URL (tests fail without it).
final class ScratchDatabase {
    let name: String
    let conninfo: String
    /// For the test's own setup and assertions; closed by `drop()`.
    private(set) var db: Connection!
    private let admin: Connection

    static let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    init() throws {
        guard let base = ProcessInfo.processInfo.environment["GAUNTLET_TEST_DATABASE_URL"] else {
            XCTFail("GAUNTLET_TEST_DATABASE_URL is not set; run the database tests through scripts/test")
            throw PostgresError(.connectionFailed, "no test database")
        }
        admin = try Connection(.init(conninfo: base, applicationName: "jobs-tests-admin"))
        name = "scratch_jobs_\(UUID().uuidString.prefix(8).lowercased())"
        // An identifier generated above, not input.
        try admin.runScript("create database \(name)")
        conninfo = base + " dbname=\(name)"
        db = try Connection(.init(conninfo: conninfo, applicationName: "jobs-tests"))
        _ = try Migrator(sqlDirectory: Self.packageRoot.appendingPathComponent("sql")).run(on: db)
    }

    func drop() {
        db = nil
        _ = try? admin.runScript("drop database if exists \(name) with (force)")
    }

    // MARK: Setup

    func setSetting(_ key: String, _ value: String) throws {
        try db.query("select set_setting($1, $2::jsonb)", [key, value])
    }

    /// One bot per starter archetype (the first `count`), with the archetype's
    /// defaults; `timeframe` overrides the archetype's bar width.
    func seedBots(_ count: Int, timeframe: String? = nil) throws -> [UUID] {
        for spec in Instruments.all {
            try db.query("""
                insert into instruments (symbol, name, tick_size, multiplier, commission_per_side, exchange, initial_margin)
                values ($1, $2, $3, $4, $5, $6, $7) on conflict (symbol) do nothing
                """, [spec.symbol, spec.name, spec.tickSize, spec.multiplier, spec.commissionPerSide, spec.exchange,
                      spec.initialMargin])
        }
        var bots: [UUID] = []
        for archetype in Archetypes.all.prefix(count) {
            try db.query("""
                insert into archetypes (slug, name, family, instrument, timeframe, default_params)
                values ($1, $2, $3, $4, $5, $6::jsonb) on conflict (slug) do nothing
                """, [archetype.slug, archetype.name, archetype.family.rawValue, archetype.instrument,
                      archetype.timeframe.rawValue, archetype.defaults.canonicalJSON])
            bots.append(try db.query("""
                insert into bots (name, archetype_slug, instrument, timeframe, params, params_hash)
                values ($1, $2, $3, $4, $5::jsonb, $6) returning id
                """, [archetype.name, archetype.slug, archetype.instrument, timeframe ?? archetype.timeframe.rawValue,
                      archetype.defaults.canonicalJSON, archetype.defaults.hash]).single().decode("id"))
        }
        return bots
    }

    /// `seed_starter_pack` with the Swift catalogue (as `POST /api/bots/starter-pack`
    /// sends it): one STARTER bot per archetype and, as settings say, their baselines.
    @discardableResult
    func seedStarterPack() throws -> String? {
        let instruments: [[String: Any]] = Instruments.all.map {
            ["symbol": $0.symbol, "name": $0.name, "tick_size": $0.tickSize, "multiplier": $0.multiplier,
             "currency": $0.currency, "commission_per_side": $0.commissionPerSide, "exchange": $0.exchange,
             "kind": $0.kind.rawValue]
        }
        let archetypes: [[String: Any]] = try Archetypes.all.map {
            ["slug": $0.slug, "name": $0.name, "family": $0.family.rawValue, "instrument": $0.instrument,
             "timeframe": $0.timeframe.rawValue, "params_hash": $0.defaults.hash,
             "default_params": try JSONSerialization.jsonObject(with: Data($0.defaults.canonicalJSON.utf8))]
        }
        func json(_ value: Any) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self)
        }
        return try text("select seed_starter_pack($1::jsonb, $2::jsonb)::text", [try json(instruments), try json(archetypes)])
    }

    @discardableResult
    func enqueue(_ bot: UUID?, _ type: String, payload: String = "{}") throws -> UUID {
        try db.query("select job_id from enqueue_job($1, $2, 100, $3::jsonb)", [bot, type, payload]).single().decode("job_id")
    }

    // MARK: Reading

    func int(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) throws -> Int {
        try db.query(sql, parameters).single().decode(at: 0)
    }

    func text(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) throws -> String? {
        try db.query(sql, parameters).first?.text(at: 0)
    }

    /// Polls every 100 ms until `condition` holds; false on timeout.
    func waitUntil(timeout: Double, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(100_000)
        }
        return try condition()
    }
}
