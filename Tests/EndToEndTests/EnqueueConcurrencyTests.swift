import Foundation
import Postgres
import XCTest

/// 200 concurrent POSTs that create a job (issue 13 §5: 8 and 3 of 200 answered 500
/// DATABASE_ERROR while the job was queued anyway). Every answer is 200 or 202, never a
/// 5xx; every 202 names a job that exists, created by that route's reason; and the jobs
/// the route created are exactly the 202s: a client told "queued" finds its job, and
/// none was created for a client told anything else. Backtests only: a forced EVOLVE
/// would leave a next-generation bot behind for the other tests (the evolve route
/// shares api_enqueued_job with these two).
final class EnqueueConcurrencyTests: XCTestCase {
    private func hammer(_ path: String, _ body: String, reason: String, bot: String) throws {
        let db = try Stack.db()
        let since: String = try XCTUnwrap(try db.query("select now()::text as t").single().decode("t"))
        let replies = Replies()
        DispatchQueue.concurrentPerform(iterations: 200) { _ in
            replies.add(try? HTTP.post(path, json: body))
        }
        let all = replies.all
        XCTAssertEqual(all.count, 200, "\(path): every request answered")
        let statuses = Dictionary(grouping: all, by: \.status).mapValues(\.count)
        XCTAssertEqual(Set(statuses.keys).subtracting([200, 202]), [], "\(path): \(statuses)")
        let queued = Set(all.filter { $0.status == 202 }.compactMap { $0.json["jobId"] as? String })
        XCTAssertEqual(queued.count, all.filter { $0.status == 202 }.count, "\(path): each 202 a new job")
        let created = Set(try db.query("""
            select j.id::text as id from bot_jobs j join job_run_events e on e.job_id = j.id and e.to_status = 'QUEUED'
             where j.bot_id = $1::uuid and e.reason_code = $2 and e.created_at >= $3::timestamptz and e.from_status is null
            """, [bot, reason, since]).rows.map { try $0.decode("id") as String })
        XCTAssertEqual(created, queued, "\(path): the jobs created are exactly the 202s")
        XCTAssertFalse(queued.isEmpty, "\(path): the first request created a job")
    }

    /// A bot with a completed backtest and no backtest queued or running (the starter
    /// pack's baselines take a little while).
    private func idleBot() throws -> (bot: String, session: String) {
        try Stack.ensureStarterPack()
        let db = try Stack.db()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let row = try db.query("""
                select b.id::text as bot, s.id::text as session from bots b
                  join backtest_sessions s on s.bot_id = b.id and s.status = 'COMPLETED'
                 where b.status = 'ACTIVE'
                   and not exists (select 1 from bot_jobs j join job_kinds k on k.kind = j.job_type
                                    where j.bot_id = b.id and j.status in ('QUEUED', 'RUNNING') and k.is_backtest)
                 order by s.completed_at desc limit 1
                """).first {
                return (try row.decode("bot"), try row.decode("session"))
            }
            Thread.sleep(forTimeInterval: 1)
        }
        XCTFail("no bot was free of backtests within 120 s")
        throw URLError(.timedOut)
    }

    func testConcurrentEnqueuesAnswerExactlyWhatTheyDid() throws {
        let first = try idleBot()
        try hammer("/api/backtests", #"{"botId": "\#(first.bot)"}"#, reason: "API_REQUEST", bot: first.bot)
        let second = try idleBot()
        try hammer("/api/backtests/\(second.session)/run", "{}", reason: "API_RERUN", bot: second.bot)
    }
}

private final class Replies: @unchecked Sendable {
    private let lock = NSLock()
    private var replies: [HTTP.Reply] = []
    func add(_ reply: HTTP.Reply?) { if let reply { lock.withLock { replies.append(reply) } } }
    var all: [HTTP.Reply] { lock.withLock { replies } }
}
