import Foundation
import Postgres
import XCTest

/// Acceptance: with a provider that fails, the breaker opens after 3 failures,
/// blocks claims while open, and closes after its cooldown.
final class CircuitBreakerTests: WorkerTestCase {
    func testFailingProviderOpensAndCooldownClosesTheBreaker() throws {
        let bots = try database.seedBots(4)
        try database.setSetting("circuit_cooldown_seconds", "2")
        try database.setSetting("retry_backoff_seconds", "0") // retries are claimable at once, unless blocked
        for bot in bots { try database.enqueue(bot, "BACKTEST_BASELINE") }
        try startWorker("failing", slots: 1, types: "BACKTEST_BASELINE", environment: [
            "GAUNTLET_DATA_PROVIDERS": "databento", "DATABENTO_API_KEY": "bad",
            "DATABENTO_BASE_URL": "http://127.0.0.1:\(try closedPort())",
        ])

        XCTAssertTrue(try database.waitUntil(timeout: 20) {
            try database.int("select count(*) from activity_events where event_type = 'CIRCUIT_OPENED'") >= 1
        }, "the breaker never opened")
        XCTAssertEqual(try database.int("""
            select (payload ->> 'consecutive_failures')::int from activity_events
             where event_type = 'CIRCUIT_OPENED' order by id limit 1
            """), 3)
        XCTAssertEqual(try database.int(
            "select count(*) from job_run_events where from_status = 'RUNNING' and to_status = 'QUEUED' "
            + "and reason_code = 'PROVIDER_UNAVAILABLE'"), 3)

        XCTAssertTrue(try database.waitUntil(timeout: 15) {
            try database.int("select count(*) from activity_events where event_type = 'CIRCUIT_CLOSED'") >= 1
        }, "the breaker never closed")
        // While open, queued jobs were due but nothing was claimed.
        XCTAssertEqual(try database.int("""
            select count(*) from job_run_events e
             where e.to_status = 'RUNNING'
               and e.created_at > (select (payload ->> 'opened_at')::timestamptz from activity_events
                                    where event_type = 'CIRCUIT_OPENED' order by id limit 1)
               and e.created_at < (select (payload ->> 'closes_at')::timestamptz from activity_events
                                    where event_type = 'CIRCUIT_OPENED' order by id limit 1)
            """), 0)
        // Once closed, claims resume (and fail again against the dead provider).
        XCTAssertTrue(try database.waitUntil(timeout: 10) {
            try database.int("select count(*) from job_run_events where to_status = 'RUNNING'") > 3
        }, "claims did not resume after the cooldown")

        // Every failed provider call was recorded, with the job's trace id.
        XCTAssertGreaterThanOrEqual(try database.int("""
            select count(*) from integration_usage_events u join bot_jobs j on j.id = u.job_id
             where u.provider = 'databento' and u.status = 'PROVIDER_UNAVAILABLE' and u.trace_id = j.trace_id
            """), 3)
        XCTAssertFalse(workers[0].log.contains("DATABENTO_API_KEY=bad") || workers[0].log.contains("\"bad\""),
                       "the API key leaked into the log")
        XCTAssertEqual(workers[0].terminate(), 0)
    }

    /// A port nothing listens on: bound, read, closed.
    private func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
