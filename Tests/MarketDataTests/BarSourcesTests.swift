import Foundation
import Market
import MarketData
import TestSupport
import XCTest

/// Configuration: which providers a chain holds, and that a configured provider's
/// failure is reported, never replaced by synthetic bars.
final class BarSourcesTests: XCTestCase {
    private var servers: [StandInServer] = []

    override func tearDown() {
        servers.forEach { $0.stop() }
        servers = []
    }

    private func start(_ handler: @escaping StandInServer.Handler) throws -> StandInServer {
        let server = try StandInServer(handler: handler)
        servers.append(server)
        return server
    }

    private let request = BarRequest(
        instrument: Instruments.spec("ES")!, timeframe: .m1, from: date("2024-03-04T14:30:00Z"),
        to: date("2024-03-04T14:33:00Z"))

    func testNoRealProviderMeansSyntheticLabelledAsSuch() throws {
        let chain = BarSources.chain(environment: [:])
        XCTAssertEqual(chain.providers, ["synthetic"])
        XCTAssertTrue(chain.isSyntheticOnly)
        let fetch = try chain.fetchBars(request)
        XCTAssertEqual(fetch.source, "synthetic")
        XCTAssertEqual(fetch.bars.count, 3)
    }

    func testDefaultOrderIsDatabentoPolygonFile() {
        let chain = BarSources.chain(environment: [
            "DATABENTO_API_KEY": "db-x", "POLYGON_API_KEY": "pg-y", "GAUNTLET_DATA_DIR": SharedData.path("es-1m"),
        ])
        XCTAssertEqual(chain.providers, ["databento", "polygon", "file"])
        XCTAssertFalse(chain.isSyntheticOnly)
    }

    func testFailingConfiguredProviderNeverFallsBackToSynthetic() throws {
        let key = "db-SECRET-0042"
        let server = try start { _, _ in .json(401, #"{"detail":"Authentication failed."}"#) }
        let chain = BarSources.chain(environment: [
            "DATABENTO_API_KEY": key, "DATABENTO_BASE_URL": server.baseURL.absoluteString,
        ])
        XCTAssertEqual(chain.providers, ["databento"])
        XCTAssertThrowsError(try chain.fetchBars(request)) { error in
            let error = error as! MarketDataError
            XCTAssertEqual(error.code, "PROVIDER_UNAUTHORIZED")
            XCTAssertNotNil(error.suggestedFix)
            XCTAssertEqual(error.usage.map(\.provider), ["databento"])
            XCTAssertFalse(error.description.contains(key))
        }
    }

    func testPolygonBacksUpDatabentoAndAllCallsAreRecorded() throws {
        let databento = try start { _, _ in .json(503, #"{"detail":"Service unavailable."}"#) }
        let ns = epoch("2024-03-04T14:30:00Z") * 1_000_000_000
        let bar = #"{"open":5130.25,"high":5131.5,"low":5129.75,"close":5131.0,"volume":812,"window_start":\#(ns)}"#
        let polygon = try start { _, _ in .json(200, #"{"status":"OK","results":[\#(bar)]}"#) }
        let chain = BarSources.chain(environment: [
            "DATABENTO_API_KEY": "db-x", "DATABENTO_BASE_URL": databento.baseURL.absoluteString,
            "POLYGON_API_KEY": "pg-y", "POLYGON_BASE_URL": polygon.baseURL.absoluteString,
        ])
        let fetch = try chain.fetchBars(request)
        XCTAssertEqual(fetch.source, "polygon")
        XCTAssertEqual(fetch.usage.map(\.provider), ["databento", "polygon"])
        XCTAssertEqual(fetch.usage.map(\.status), ["PROVIDER_UNAVAILABLE", "OK"])
    }

    func testEveryFailureIsReportedWhenAllFail() throws {
        let databento = try start { _, _ in .json(401, #"{"detail":"Authentication failed."}"#) }
        let chain = BarSources.chain(environment: [
            "DATABENTO_API_KEY": "db-x", "DATABENTO_BASE_URL": databento.baseURL.absoluteString,
            "GAUNTLET_DATA_DIR": "/nonexistent/bars",
        ])
        XCTAssertThrowsError(try chain.fetchBars(request)) { error in
            let error = error as! MarketDataError
            XCTAssertEqual(error.code, "ALL_PROVIDERS_FAILED")
            XCTAssertTrue(error.message.contains("PROVIDER_UNAUTHORIZED") && error.message.contains("FILE_NOT_FOUND"))
            XCTAssertEqual(error.usage.map(\.provider), ["databento", "file"])
        }
    }

    func testExplicitOrderAndUnconfiguredNames() throws {
        let chain = BarSources.chain(environment: [
            "GAUNTLET_DATA_PROVIDERS": "file, polygon, synthetic, bogus", "GAUNTLET_DATA_DIR": SharedData.path("es-1m"),
        ])
        XCTAssertEqual(chain.providers, ["file", "polygon"])
        XCTAssertEqual(chain.notes.count, 2)
        let es = BarRequest(
            instrument: Instruments.spec("ES")!, timeframe: .m1, from: date("2013-10-07T13:30:00Z"),
            to: date("2013-10-07T14:00:00Z"))
        XCTAssertEqual(try chain.fetchBars(es).source, "file")

        let polygonOnly = BarSources.chain(environment: ["GAUNTLET_DATA_PROVIDERS": "polygon"])
        XCTAssertThrowsError(try polygonOnly.fetchBars(es)) { error in
            XCTAssertEqual((error as! MarketDataError).code, "NOT_CONFIGURED")
            XCTAssertEqual((error as! MarketDataError).suggestedFix, "set POLYGON_API_KEY")
        }
    }

    func testSpecs() throws {
        XCTAssertEqual((try BarSources.make(spec: "synthetic:7", environment: [:]) as? SyntheticBarSource)?.seed, 7)
        XCTAssertEqual((try BarSources.make(spec: "synthetic", environment: ["GAUNTLET_SYNTHETIC_SEED": "9"]) as? SyntheticBarSource)?.seed, 9)
        let file = try XCTUnwrap(try BarSources.make(
            spec: "file:\(SharedData.path("equities-1m"))?stamps=end&tz=America/New_York", environment: [:]) as? FileBarSource)
        XCTAssertEqual(file.options.stamps, .barEnd)
        XCTAssertEqual(file.options.naiveTimeZone.identifier, "America/New_York")
        XCTAssertEqual(try BarSources.make(spec: "auto", environment: [:]).provider, "synthetic")
        for (spec, code) in [("bogus", "INVALID_PROVIDER_SPEC"), ("databento", "NOT_CONFIGURED"),
                             ("polygon", "NOT_CONFIGURED"), ("file", "NOT_CONFIGURED"),
                             ("file:/x?stamps=middle", "INVALID_PROVIDER_SPEC"), ("synthetic:abc", "INVALID_PROVIDER_SPEC")] {
            XCTAssertThrowsError(try BarSources.make(spec: spec, environment: [:]), spec) { error in
                XCTAssertEqual((error as! MarketDataError).code, code, spec)
            }
        }
    }

    func testVerifyWithoutAKeyIsNotConfigured() {
        for provider in ["databento", "polygon"] {
            let check = BarSources.verify(provider: provider, environment: [:])
            XCTAssertFalse(check.ok)
            XCTAssertEqual(check.code, "NOT_CONFIGURED")
        }
        XCTAssertTrue(BarSources.verify(provider: "synthetic", environment: [:]).ok)
        XCTAssertFalse(BarSources.verify(provider: "file", environment: ["GAUNTLET_DATA_DIR": "/nonexistent"]).ok)
    }

    func testVerifyThroughConfiguration() throws {
        let server = try start { _, _ in .json(200, #"["GLBX.MDP3"]"#) }
        let check = BarSources.verify(provider: "databento", environment: [
            "DATABENTO_API_KEY": "db-x", "DATABENTO_BASE_URL": server.baseURL.absoluteString,
        ])
        XCTAssertTrue(check.ok, check.message)
        XCTAssertEqual(check.usage.count, 1)
        let json = String(decoding: try JSONEncoder().encode(check), as: UTF8.self)
        XCTAssertFalse(json.contains("db-x"))
    }
}
