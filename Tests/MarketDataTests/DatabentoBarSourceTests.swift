import Foundation
import Market
import MarketData
import TestSupport
import XCTest

/// The Databento client against a local stand-in that serves the recorded fixtures.
final class DatabentoBarSourceTests: XCTestCase {
    private let key = "db-TESTKEY-5e3f9a"
    private let traceId = UUID()
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

    private func source(_ server: StandInServer, policy: HTTPPolicy = HTTPPolicy(timeout: 5)) -> DatabentoBarSource {
        DatabentoBarSource(apiKey: key, baseURL: server.baseURL, policy: policy)!
    }

    private var request: BarRequest {
        BarRequest(
            instrument: Instruments.spec("ES")!, timeframe: .m1, from: date("2020-12-28T00:00:00Z"),
            to: date("2020-12-29T00:00:00Z"), traceId: traceId)
    }

    private func assertKeyAbsent(_ error: MarketDataError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(error.description.contains(key), "key leaked: \(error)", file: file, line: line)
        XCTAssertFalse(String(reflecting: error).contains(key), "key leaked in reflection", file: file, line: line)
    }

    func testFetchSendsTheDocumentedRequestAndParsesTheCSV() throws {
        let csv = try SharedData.contents("databento/ohlcv-1m.csv")
        let server = try start { _, _ in .text(200, csv) }
        let fetch = try source(server).fetchBars(request)

        XCTAssertEqual(fetch.source, "databento")
        XCTAssertEqual(fetch.bars.timestamps, [epoch("2020-12-28T13:00:00Z"), epoch("2020-12-28T13:01:00Z")])
        XCTAssertEqual(fetch.bars.open, [372_025, 372_100])
        XCTAssertEqual(fetch.bars.volume, [353, 152])

        let sent = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(sent.method, "POST")
        XCTAssertEqual(sent.path, "/v0/timeseries.get_range")
        XCTAssertEqual(sent.headers["authorization"], "Basic " + Data("\(key):".utf8).base64EncodedString())
        let form = sent.form
        XCTAssertEqual(form["dataset"], "GLBX.MDP3")
        XCTAssertEqual(form["schema"], "ohlcv-1m")
        XCTAssertEqual(form["symbols"], "ES.c.0")
        XCTAssertEqual(form["stype_in"], "continuous")
        XCTAssertEqual(form["encoding"], "csv")
        XCTAssertEqual(form["start"], "2020-12-28T00:00:00Z")
        XCTAssertEqual(form["end"], "2020-12-29T00:00:00Z")

        XCTAssertEqual(fetch.usage.count, 1)
        let usage = fetch.usage[0]
        XCTAssertEqual(usage.provider, "databento")
        XCTAssertEqual(usage.endpoint, "/v0/timeseries.get_range")
        XCTAssertEqual(usage.status, "OK")
        XCTAssertEqual(usage.httpStatus, 200)
        XCTAssertEqual(usage.barsReturned, 2)
        XCTAssertEqual(usage.traceId, traceId)
        XCTAssertGreaterThan(usage.latencyMs, 0)
    }

    func testAZstdDBNBodyDecodesToTheSameBars() throws {
        let dbn = try SharedData.contents("databento/test_data.ohlcv-1m.dbn.zst")
        let csv = try SharedData.contents("databento/ohlcv-1m.csv")
        let fromDBN = try source(try start { _, _ in .text(200, dbn, type: "application/octet-stream") }).fetchBars(request)
        server?.stop()
        let fromCSV = try source(try start { _, _ in .text(200, csv) }).fetchBars(request)
        XCTAssertEqual(fromDBN.bars.fingerprint, fromCSV.bars.fingerprint)
    }

    func testUnauthorizedCarriesTheDetailButNeverTheKey() throws {
        let server = try start { _, _ in .json(401, #"{"detail":"Authentication failed."}"#) }
        XCTAssertThrowsError(try source(server).fetchBars(request)) { error in
            let error = error as! MarketDataError
            XCTAssertEqual(error.code, "PROVIDER_UNAUTHORIZED")
            XCTAssertTrue(error.message.contains("Authentication failed."), error.message)
            XCTAssertTrue(error.suggestedFix?.contains("DATABENTO_API_KEY") == true)
            XCTAssertEqual(error.usage.map(\.status), ["PROVIDER_UNAUTHORIZED"])
            XCTAssertEqual(error.usage.first?.httpStatus, 401)
            self.assertKeyAbsent(error)
        }
    }

    /// A provider whose error quotes the request back — the Authorization header holds
    /// the key base64-encoded (`Basic base64(key:)`), the URL it URL-encoded: the error
    /// carries the provider's words but the key in none of its encodings.
    func testAnErrorQuotingTheKeyInAnyEncodingNeverCarriesIt() throws {
        let basic = Data("\(key):".utf8).base64EncodedString()
        let encoded = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let other = "c2VjcmV0LXNlc3Npb24tdG9rZW4tMTIzNDU2Nzg5MA=="
        let body = #"{"detail":"Authentication failed for Authorization: Basic \#(basic) (key=\#(encoded), raw \#(key), session \#(other))"}"#
        let server = try start { _, _ in .json(401, body) }
        XCTAssertThrowsError(try source(server).fetchBars(request)) { error in
            let error = error as! MarketDataError
            XCTAssertTrue(error.message.contains("Authentication failed"), error.message)
            for form in [self.key, basic, encoded, other] {
                XCTAssertFalse(error.message.contains(form), "\(form) leaked: \(error.message)")
            }
            self.assertKeyAbsent(error)
        }
    }

    func testUnprocessableRequestIsBadRequest() throws {
        let body = #"{"detail":{"case":"symbology_invalid_symbol","message":"None of the symbols could be resolved.","status_code":422}}"#
        let server = try start { _, _ in .json(422, body) }
        XCTAssertThrowsError(try source(server).fetchBars(request)) { error in
            let error = error as! MarketDataError
            XCTAssertEqual(error.code, "PROVIDER_BAD_REQUEST")
            XCTAssertTrue(error.message.contains("None of the symbols could be resolved."), error.message)
            self.assertKeyAbsent(error)
        }
    }

    func testRateLimitHonoursRetryAfterThenSucceeds() throws {
        let csv = try SharedData.contents("databento/ohlcv-1m.csv")
        let server = try start { _, index in
            index == 0 ? .json(429, #"{"detail":"Too many requests."}"#, headers: [("Retry-After", "1")]) : .text(200, csv)
        }
        let started = Date()
        let fetch = try source(server).fetchBars(request)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.0, "Retry-After: 1 was not honoured")
        XCTAssertEqual(fetch.bars.count, 2)
        XCTAssertEqual(server.requests.count, 2)
        XCTAssertEqual(fetch.usage.map(\.status), ["PROVIDER_RATE_LIMITED", "OK"])
        XCTAssertEqual(fetch.usage.map(\.httpStatus), [429, 200])
    }

    func testPersistentRateLimitGivesUpWithinBoundsAndCapsTheWait() throws {
        let server = try start { _, _ in .json(429, #"{"detail":"Too many requests."}"#, headers: [("Retry-After", "3600")]) }
        let started = Date()
        let policy = HTTPPolicy(timeout: 5, maxRetries: 2, maxRetryDelay: 0.2)
        XCTAssertThrowsError(try source(server, policy: policy).fetchBars(request)) { error in
            let error = error as! MarketDataError
            XCTAssertEqual(error.code, "PROVIDER_RATE_LIMITED")
            XCTAssertEqual(error.usage.count, 3)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertEqual(server.requests.count, 3)
    }

    func testServerErrorAndUnreachableHostAreUnavailable() throws {
        let server = try start { _, _ in .json(503, #"{"detail":"Service unavailable."}"#) }
        let databento = source(server)
        XCTAssertThrowsError(try databento.fetchBars(request)) { error in
            XCTAssertEqual((error as! MarketDataError).code, "PROVIDER_UNAVAILABLE")
        }
        server.stop()
        XCTAssertThrowsError(try databento.fetchBars(request)) { error in
            let error = error as! MarketDataError
            XCTAssertEqual(error.code, "PROVIDER_UNAVAILABLE")
            XCTAssertEqual(error.usage.count, 1)
            self.assertKeyAbsent(error)
        }
    }

    func testRedirectsAreNotFollowedSoTheKeyStaysHome() throws {
        let elsewhere = try StandInServer { _, _ in .text(200, Data()) }
        defer { elsewhere.stop() }
        let location = elsewhere.baseURL.appendingPathComponent("v0/timeseries.get_range").absoluteString
        let server = try start { _, _ in StandInServer.Response(status: 302, headers: [("Location", location)]) }
        XCTAssertThrowsError(try source(server).fetchBars(request)) { error in
            XCTAssertEqual((error as! MarketDataError).code, "PROVIDER_BAD_RESPONSE")
        }
        XCTAssertTrue(elsewhere.requests.isEmpty)
    }

    func testEmptyAnswerIsNoData() throws {
        let server = try start { _, _ in .text(200, Data("ts_event,rtype,publisher_id,instrument_id,open,high,low,close,volume\n".utf8)) }
        XCTAssertThrowsError(try source(server).fetchBars(request)) { error in
            let error = error as! MarketDataError
            XCTAssertEqual(error.code, "NO_DATA")
            XCTAssertEqual(error.usage.map(\.status), ["NO_DATA"])
        }
    }

    func testVerifyMakesOneAuthorisedCall() throws {
        let expected = "Basic " + Data("\(key):".utf8).base64EncodedString()
        let server = try start { request, _ in
            request.headers["authorization"] == expected
                ? .json(200, #"["GLBX.MDP3","XNAS.ITCH"]"#) : .json(401, #"{"detail":"Authentication failed."}"#)
        }
        let check = source(server).verify(traceId: traceId)
        XCTAssertTrue(check.ok)
        XCTAssertEqual(check.httpStatus, 200)
        XCTAssertEqual(server.requests.map(\.path), ["/v0/metadata.list_datasets"])
        let refused = DatabentoBarSource(apiKey: "wrong-key", baseURL: server.baseURL)!.verify()
        XCTAssertFalse(refused.ok)
        XCTAssertEqual(refused.code, "PROVIDER_UNAUTHORIZED")
        XCTAssertFalse(refused.message.contains("wrong-key"))
    }

    func testTheKeyNeverShowsInDescriptions() throws {
        let databento = DatabentoBarSource(apiKey: key)!
        XCTAssertFalse(String(describing: databento).contains(key))
        XCTAssertFalse(String(reflecting: databento).contains(key))
        var dumped = ""
        dump(databento, to: &dumped)
        XCTAssertFalse(dumped.contains(key))
        XCTAssertNil(DatabentoBarSource(apiKey: "  "))
    }
}
