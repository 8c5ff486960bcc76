import Foundation
import Postgres
import XCTest

/// 200 concurrent POSTs that create a job (issue 13 §5: 8 and 3 of 200 answered 500
/// DATABASE_ERROR while the job was queued anyway). Every answer is 200 or 202, never a
/// 5xx; every 202 names a job that exists, created by that route's reason; and the jobs
/// the route created are exactly the 202s: a client told "queued" finds its job, and
/// none was created for a client told anything else.
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

    func testConcurrentEnqueuesAnswerExactlyWhatTheyDid() throws {
        try Stack.ensureStarterPack()
        let bot = try XCTUnwrap(try Stack.db().query("""
            select id::text as id from bots where status = 'ACTIVE' order by created_at, name limit 1
            """).first?.decode("id") as String?)
        try hammer("/api/backtests", #"{"botId": "\#(bot)"}"#, reason: "API_REQUEST", bot: bot)
        try hammer("/api/bots/\(bot)/evolve", "{}", reason: "FORCED_BY_API", bot: bot)
    }
}

private final class Replies: @unchecked Sendable {
    private let lock = NSLock()
    private var replies: [HTTP.Reply] = []
    func add(_ reply: HTTP.Reply?) { if let reply { lock.withLock { replies.append(reply) } } }
    var all: [HTTP.Reply] { lock.withLock { replies } }
}
