import Foundation
import Market
@testable import MarketData
import TestSupport
import XCTest

/// `ProviderChain.route(for:)`: which provider serves an instrument. Bar files serve
/// the symbols they name; with files as the only real provider the rest get labelled
/// synthetic bars; a covered instrument's failure is never turned into synthetic bars;
/// with an API key synthetic never appears. Also what a source says it covers.
final class ProviderRoutingTests: XCTestCase {
    private let es = Instruments.spec("ES")!
    private let mnq = Instruments.spec("MNQ")!
    private var servers: [StandInServer] = []
    private var scratch: URL?

    override func tearDown() {
        servers.forEach { $0.stop() }
        servers = []
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private func request(_ instrument: Instrument, _ from: String, _ to: String) -> BarRequest {
        BarRequest(instrument: instrument, timeframe: .m1, from: date(from), to: date(to))
    }

    private func routed(_ chain: ProviderChain, _ instrument: Instrument) -> [String] {
        chain.route(for: instrument).map(\.provider)
    }

    /// A fresh directory for files a test writes.
    private func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("routing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        scratch = url
        return url
    }

    func testADataDirServesTheInstrumentsItsFilesNameAndSyntheticTheRest() throws {
        let chain = BarSources.chain(environment: ["GAUNTLET_DATA_DIR": SharedData.path("es-1m")])
        XCTAssertEqual(chain.providers, ["file", "synthetic"])
        XCTAssertFalse(chain.isSyntheticOnly)
        XCTAssertEqual(routed(chain, es), ["file"])
        for symbol in ["MES", "NQ", "MNQ", "M2K", "MYM", "CL", "MCL", "GC", "MGC"] {
            XCTAssertEqual(routed(chain, Instruments.spec(symbol)!), ["synthetic"], symbol)
        }

        let real = try chain.fetchBars(request(es, "2013-10-07T13:30:00Z", "2013-10-07T14:00:00Z"))
        XCTAssertEqual(real.source, "file")
        XCTAssertEqual(real.bars.count, 30)
        XCTAssertEqual(real.usage.map(\.provider), ["file"])
        XCTAssertEqual(real.usage.map(\.status), ["OK"])

        let made = try chain.fetchBars(request(mnq, "2024-03-04T14:30:00Z", "2024-03-04T14:33:00Z"))
        XCTAssertEqual(made.source, "synthetic")
        XCTAssertEqual(made.usage.map(\.provider), ["synthetic"])
    }

    func testACoveredInstrumentsFailingFetchFailsInsteadOfTurningSynthetic() throws {
        let chain = BarSources.chain(environment: ["GAUNTLET_DATA_DIR": SharedData.path("es-1m")])
        // ES is covered, but not in 2024: the file's NO_DATA, recorded, no synthetic bars.
        XCTAssertThrowsError(try chain.fetchBars(request(es, "2024-03-04T14:30:00Z", "2024-03-04T14:33:00Z"))) { error in
            let error = error as! MarketDataError
            XCTAssertEqual(error.code, "NO_DATA")
            XCTAssertEqual(error.usage.map(\.provider), ["file"])
            XCTAssertEqual(error.usage.map(\.status), ["NO_DATA"])
        }

        // A broken ES file still covers ES: BAD_BAR_DATA, not synthetic.
        let directory = try scratchDirectory()
        try "ts,open,high,low,close,volume\nyesterday,5130,5131,5129,5130,10\n"
            .write(to: directory.appendingPathComponent("ES_1m.csv"), atomically: true, encoding: .utf8)
        let broken = BarSources.chain(environment: ["GAUNTLET_DATA_DIR": directory.path])
        XCTAssertEqual(routed(broken, es), ["file"])
        XCTAssertEqual(routed(broken, mnq), ["synthetic"])
        XCTAssertThrowsError(try broken.fetchBars(request(es, "2024-03-04T14:30:00Z", "2024-03-04T14:33:00Z"))) { error in
            XCTAssertEqual((error as! MarketDataError).code, "BAD_BAR_DATA")
        }
        XCTAssertNil(broken.coverage(for: es), "an unreadable file has no known coverage")

        // A data dir that does not exist covers nothing it can prove: every instrument
        // goes to the file provider and fails FILE_NOT_FOUND rather than quietly becoming synthetic.
        let missing = BarSources.chain(environment: ["GAUNTLET_DATA_DIR": "/nonexistent/bars"])
        XCTAssertEqual(routed(missing, mnq), ["file"])
        XCTAssertThrowsError(try missing.fetchBars(request(mnq, "2024-03-04T14:30:00Z", "2024-03-04T14:33:00Z"))) { error in
            XCTAssertEqual((error as! MarketDataError).code, "FILE_NOT_FOUND")
        }
    }

    func testWithAnAPIKeySyntheticNeverAppears() throws {
        let databento = try StandInServer { _, _ in .json(503, #"{"detail":"Service unavailable."}"#) }
        servers.append(databento)
        let chain = BarSources.chain(environment: [
            "DATABENTO_API_KEY": "db-x", "DATABENTO_BASE_URL": databento.baseURL.absoluteString,
            "GAUNTLET_DATA_DIR": SharedData.path("es-1m"),
        ])
        XCTAssertEqual(chain.providers, ["databento", "file"])
        XCTAssertEqual(routed(chain, es), ["databento", "file"])
        XCTAssertEqual(routed(chain, mnq), ["databento"])
        XCTAssertNil(chain.coverage(for: es), "databento serves ES first, for any window")

        // Databento down: ES falls to its file, MNQ fails — no synthetic bars for either.
        let real = try chain.fetchBars(request(es, "2013-10-07T13:30:00Z", "2013-10-07T14:00:00Z"))
        XCTAssertEqual(real.source, "file")
        XCTAssertEqual(real.usage.map(\.provider).last, "file")
        XCTAssertThrowsError(try chain.fetchBars(request(mnq, "2024-03-04T14:30:00Z", "2024-03-04T14:33:00Z"))) { error in
            let error = error as! MarketDataError
            XCTAssertEqual(error.code, "PROVIDER_UNAVAILABLE")
            XCTAssertFalse(error.usage.contains { $0.provider == "synthetic" })
        }
    }

    func testExplicitProvidersKeepTheirMeaning() throws {
        let chain = BarSources.chain(environment: [
            "GAUNTLET_DATA_PROVIDERS": "file", "GAUNTLET_DATA_DIR": SharedData.path("es-1m"),
        ])
        XCTAssertEqual(chain.providers, ["file"])
        XCTAssertEqual(routed(chain, es), ["file"])
        XCTAssertEqual(routed(chain, mnq), ["file"], "listed providers only: no synthetic for uncovered instruments")
        XCTAssertThrowsError(try chain.fetchBars(request(mnq, "2024-03-04T14:30:00Z", "2024-03-04T14:33:00Z"))) { error in
            XCTAssertEqual((error as! MarketDataError).code, "NO_DATA")
        }
        XCTAssertEqual(BarSources.chain(environment: [:]).providers, ["synthetic"])
    }

    func testASingleFileCoversTheSymbolItsNameCarries() throws {
        let chain = BarSources.chain(environment: ["GAUNTLET_DATA_DIR": SharedData.path("es-1m/ES_front_month_1m_utc.csv")])
        XCTAssertEqual(routed(chain, es), ["file"])
        XCTAssertEqual(routed(chain, mnq), ["synthetic"])
        XCTAssertEqual(routed(chain, Instruments.spec("MES")!), ["synthetic"], "MES is not ES")
    }

    func testCoverageIsTheFirstBarsStartToTheLastBarsEnd() throws {
        let span = epoch("2013-10-06T22:00:00Z")..<epoch("2020-01-07T00:00:00Z")
        let files = FileBarSource(path: SharedData.path("es-1m"))
        XCTAssertTrue(files.covers(es))
        XCTAssertFalse(files.covers(mnq))
        XCTAssertEqual(files.coverage(for: es), span)
        XCTAssertNil(files.coverage(for: mnq))
        XCTAssertNil(SyntheticBarSource().coverage(for: es), "generated on demand: unbounded")

        let chain = BarSources.chain(environment: ["GAUNTLET_DATA_DIR": SharedData.path("es-1m")])
        XCTAssertEqual(chain.coverage(for: es), span)
        XCTAssertNil(chain.coverage(for: mnq), "MNQ is synthetic here")
    }

    func testCoverageIsReadOncePerFileVersion() throws {
        let directory = try scratchDirectory()
        let file = directory.appendingPathComponent("ES").appendingPathComponent("2024-03.csv")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        func write(_ minutes: Int) throws {
            var text = "ts,open,high,low,close,volume\n"
            for minute in 0..<minutes {
                text += "\(epoch("2024-03-04T14:30:00Z") + Int64(minute * 60)),5130,5131,5129,5130,10\n"
            }
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        try write(3)
        let source = FileBarSource(path: directory.path)
        XCTAssertEqual(source.coverage(for: es), epoch("2024-03-04T14:30:00Z")..<epoch("2024-03-04T14:33:00Z"))
        XCTAssertEqual(source.coverage(for: es), epoch("2024-03-04T14:30:00Z")..<epoch("2024-03-04T14:33:00Z"))
        XCTAssertEqual(FileSpans.shared.decodes(of: file.path), 1, "the second answer comes from the cache")

        try write(5)  // a new size: read again
        XCTAssertEqual(source.coverage(for: es), epoch("2024-03-04T14:30:00Z")..<epoch("2024-03-04T14:35:00Z"))
        XCTAssertEqual(FileSpans.shared.decodes(of: file.path), 2)
    }
}
