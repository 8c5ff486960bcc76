import Foundation
import Market
import MarketData
import TestSupport
import XCTest

/// The Polygon client against a local stand-in speaking Polygon's documented shapes.
final class PolygonBarSourceTests: XCTestCase {
    private let key = "pg-TESTKEY-81c0d2"
    private var server: StandInServer?

    override func tearDown() {
        server?.stop()
        server = nil
    }

    private func start(_ handler: @escaping StandInServer.Handler) throws -> StandInServer {
        let server = try StandInServer(handler: handler)
        self.server = server
        return server
    }

    private func source(_ server: StandInServer, policy: HTTPPolicy = HTTPPolicy(timeout: 5)) -> PolygonBarSource {
        PolygonBarSource(apiKey: key, baseURL: server.baseURL, policy: policy)!
    }

    /// A futures aggregate as documented for /futures/v1/aggs (window_start in ns).
    private static func futuresBar(_ iso: String, _ o: Double, _ h: Double, _ l: Double, _ c: Double, _ v: Int) -> String {
        let ns = epoch(iso) * 1_000_000_000
        return #"{"ticker":"ESH4","open":\#(o),"high":\#(h),"low":\#(l),"close":\#(c),"volume":\#(v),"#
            + #""dollar_volume":1.0,"transactions":12,"window_start":\#(ns),"session_end_date":"2024-03-04"}"#
    }

    private var futuresRequest: BarRequest {
        BarRequest(
            instrument: Instruments.spec("ES")!, timeframe: .m1, from: date("2024-03-04T14:30:00Z"),
            to: date("2024-03-04T14:33:00Z"))
    }

    func testFuturesAggregatesFollowNextURLWithBearerAuth() throws {
        let page1 = #"{"status":"OK","request_id":"a1","results":["#
            + Self.futuresBar("2024-03-04T14:30:00Z", 5130.25, 5131.5, 5129.75, 5131.0, 812) + ","
            + Self.futuresBar("2024-03-04T14:31:00Z", 5131.0, 5132.0, 5130.5, 5131.75, 604) + "],"
        let page2 = #"{"status":"OK","request_id":"a2","results":["#
            + Self.futuresBar("2024-03-04T14:32:00Z", 5131.75, 5132.25, 5131.0, 5131.25, 455) + "]}"
        let server = try start { request, _ in
            request.query["cursor"] == nil
                ? .json(200, page1 + #""next_url":"http://127.0.0.1:\#(request.headers["host"]!.split(separator: ":").last!)/futures/v1/aggs/ESH4?cursor=p2"}"#)
                : .json(200, page2)
        }
        let fetch = try source(server).fetchBars(futuresRequest)

        XCTAssertEqual(fetch.source, "polygon")
        XCTAssertEqual(fetch.bars.timestamps, [
            epoch("2024-03-04T14:30:00Z"), epoch("2024-03-04T14:31:00Z"), epoch("2024-03-04T14:32:00Z"),
        ])
        XCTAssertEqual(fetch.bars.close, [5131.0, 5131.75, 5131.25])
        XCTAssertEqual(fetch.bars.volume, [812, 604, 455])
        XCTAssertEqual(fetch.usage.map(\.status), ["OK", "OK"])
        XCTAssertEqual(fetch.usage.map(\.barsReturned), [2, 1])

        let first = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(first.method, "GET")
        XCTAssertEqual(first.path, "/futures/v1/aggs/ESH4")
        XCTAssertEqual(first.query["resolution"], "1min")
        XCTAssertEqual(first.query["window_start.gte"], "\(epoch("2024-03-04T14:30:00Z") * 1_000_000_000)")
        XCTAssertEqual(first.query["window_start.lt"], "\(epoch("2024-03-04T14:33:00Z") * 1_000_000_000)")
        XCTAssertEqual(first.query["sort"], "window_start.asc")
        for sent in server.requests {
            XCTAssertEqual(sent.headers["authorization"], "Bearer \(key)")
            XCTAssertNil(sent.query["apiKey"])
        }
        XCTAssertEqual(server.requests.last?.query["cursor"], "p2")
    }

    func testStockAggregates() throws {
        let t0 = epoch("2023-01-03T14:30:00Z") * 1000
        let body = #"{"ticker":"AAPL","queryCount":2,"resultsCount":2,"adjusted":true,"results":["#
            + #"{"v":463769,"vw":129.7,"o":129.76,"c":129.65,"h":129.87,"l":129.46,"t":\#(t0),"n":3012},"#
            + #"{"v":358147,"vw":129.6,"o":129.64,"c":129.46,"h":129.84,"l":129.45,"t":\#(t0 + 60_000),"n":2500}"#
            + #"],"status":"OK","request_id":"b1","count":2}"#
        let server = try start { _, _ in .json(200, body) }
        let request = BarRequest(
            instrument: Instruments.equity("AAPL"), timeframe: .m1, from: date("2023-01-03T14:30:00Z"),
            to: date("2023-01-03T15:00:00Z"))
        let fetch = try source(server).fetchBars(request)
        XCTAssertEqual(fetch.bars.timestamps, [epoch("2023-01-03T14:30:00Z"), epoch("2023-01-03T14:31:00Z")])
        XCTAssertEqual(fetch.bars.open, [129.76, 129.64])
        let sent = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(sent.path, "/v2/aggs/ticker/AAPL/range/1/minute/\(t0)/\(epoch("2023-01-03T15:00:00Z") * 1000 - 1)")
        XCTAssertEqual(sent.query["sort"], "asc")
        XCTAssertEqual(sent.headers["authorization"], "Bearer \(key)")
    }

    func testUnknownKeyIsUnauthorizedWithoutTheKey() throws {
        let server = try start { _, _ in .json(401, #"{"status":"ERROR","request_id":"c1","error":"Unknown API Key"}"#) }
        XCTAssertThrowsError(try source(server).fetchBars(futuresRequest)) { error in
            let error = error as! MarketDataError
            XCTAssertEqual(error.code, "PROVIDER_UNAUTHORIZED")
            XCTAssertTrue(error.message.contains("Unknown API Key"))
            XCTAssertTrue(error.suggestedFix?.contains("POLYGON_API_KEY") == true)
            XCTAssertFalse(error.description.contains(self.key))
            XCTAssertEqual(error.usage.first?.httpStatus, 401)
        }
    }

    func testRateLimitThenSuccess() throws {
        let page = #"{"status":"OK","request_id":"d2","results":["#
            + Self.futuresBar("2024-03-04T14:30:00Z", 5130.25, 5131.5, 5129.75, 5131.0, 812) + "]}"
        let server = try start { _, index in
            index == 0
                ? .json(429, #"{"status":"ERROR","request_id":"d1","error":"You've exceeded the maximum requests per minute"}"#,
                        headers: [("Retry-After", "1")])
                : .json(200, page)
        }
        let started = Date()
        let fetch = try source(server).fetchBars(futuresRequest)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.0)
        XCTAssertEqual(fetch.bars.count, 1)
        XCTAssertEqual(fetch.usage.map(\.status), ["PROVIDER_RATE_LIMITED", "OK"])
    }

    func testNextURLToAnotherHostIsNotFollowed() throws {
        let page = #"{"status":"OK","request_id":"e1","results":["#
            + Self.futuresBar("2024-03-04T14:30:00Z", 5130.25, 5131.5, 5129.75, 5131.0, 812)
            + #"],"next_url":"http://198.51.100.7/futures/v1/aggs/ESH4?cursor=x"}"#
        let server = try start { _, _ in .json(200, page) }
        XCTAssertThrowsError(try source(server).fetchBars(futuresRequest)) { error in
            XCTAssertEqual((error as! MarketDataError).code, "PROVIDER_BAD_RESPONSE")
        }
        XCTAssertEqual(server.requests.count, 1)
    }

    func testMalformedBodyIsBadResponse() throws {
        let server = try start { _, _ in .json(200, "<html>gateway</html>") }
        XCTAssertThrowsError(try source(server).fetchBars(futuresRequest)) { error in
            let error = error as! MarketDataError
            XCTAssertEqual(error.code, "PROVIDER_BAD_RESPONSE")
            XCTAssertEqual(error.usage.map(\.status), ["PROVIDER_BAD_RESPONSE"])
        }
    }

    func testVerify() throws {
        let server = try start { _, _ in .json(200, #"{"market":"open","serverTime":"2024-03-04T09:30:00-05:00"}"#) }
        let check = source(server).verify()
        XCTAssertTrue(check.ok)
        XCTAssertEqual(server.requests.map(\.path), ["/v1/marketstatus/now"])
        XCTAssertEqual(server.requests.first?.headers["authorization"], "Bearer \(key)")
    }
}
