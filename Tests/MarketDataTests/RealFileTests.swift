import Foundation
import Market
import MarketData
import TestSupport
import XCTest

/// The real CME ES and US equity files in ../shared/data load through the file provider.
final class RealFileTests: XCTestCase {
    func testESFileLoadsEveryBar() throws {
        let source = FileBarSource(path: SharedData.path("es-1m"))
        let fetch = try source.fetchBars(BarRequest(
            instrument: Instruments.spec("ES")!, timeframe: .m1, from: date("2013-01-01T00:00:00Z"),
            to: date("2021-01-01T00:00:00Z")))
        let bars = fetch.bars
        XCTAssertEqual(bars.count, 19_083)
        XCTAssertEqual(bars.timestamps.first, epoch("2013-10-06T22:00:00Z"))
        XCTAssertEqual([bars.open[0], bars.high[0], bars.low[0], bars.close[0], bars.volume[0]],
                       [1676.75, 1677.25, 1673.5, 1675.25, 1884])
        let last = bars.count - 1
        XCTAssertEqual(bars.timestamps.last, epoch("2020-01-06T23:59:00Z"))
        XCTAssertEqual([bars.open[last], bars.high[last], bars.low[last], bars.close[last], bars.volume[last]],
                       [3241.75, 3242.5, 3241.75, 3242.5, 158])
        XCTAssertEqual(fetch.source, "file")
    }

    func testESFileResamplesAndWindows() throws {
        let source = FileBarSource(path: SharedData.path("es-1m/ES_front_month_1m_utc.csv"))
        let bars = try source.fetchBars(BarRequest(
            instrument: Instruments.spec("ES")!, timeframe: .m5, from: date("2013-10-06T22:00:00Z"),
            to: date("2013-10-06T22:10:00Z"))).bars
        XCTAssertEqual(bars.timestamps, [epoch("2013-10-06T22:00:00Z"), epoch("2013-10-06T22:05:00Z")])
        XCTAssertEqual(bars.open[0], 1676.75)
    }

    func testMicroSymbolDoesNotPickUpTheEMiniFile() {
        let source = FileBarSource(path: SharedData.path("es-1m"))
        XCTAssertThrowsError(try source.fetchBars(BarRequest(
            instrument: Instruments.spec("MES")!, timeframe: .m1, from: date("2013-01-01T00:00:00Z"),
            to: date("2021-01-01T00:00:00Z")))) { error in
            XCTAssertEqual((error as? MarketDataError)?.code, "NO_DATA")
            XCTAssertEqual((error as? MarketDataError)?.usage.count, 1)
        }
    }

    func testGzippedEquityFileWithBarEndStampsInNewYorkTime() throws {
        let source = FileBarSource(
            path: SharedData.path("equities-1m"),
            options: BarFileOptions(stamps: .barEnd, naiveTimeZone: TimeZone(identifier: "America/New_York")!))
        let bars = try source.fetchBars(BarRequest(
            instrument: Instruments.equity("AAPL"), timeframe: .m1, from: date("2023-01-01T00:00:00Z"),
            to: date("2023-02-01T00:00:00Z"))).bars
        XCTAssertEqual(bars.count, 7_410)
        // 09:31 New York is the end of the 09:30–09:31 bar: its start is 14:30 UTC in January.
        XCTAssertEqual(bars.timestamps.first, epoch("2023-01-03T14:30:00Z"))
        XCTAssertEqual(bars.open.first, 129.76819)
    }

    func testMissingPathIsFileNotFound() {
        let source = FileBarSource(path: "/nonexistent/bars")
        XCTAssertThrowsError(try source.fetchBars(BarRequest(
            instrument: Instruments.spec("ES")!, timeframe: .m1, from: date("2020-01-01T00:00:00Z"),
            to: date("2020-01-02T00:00:00Z")))) { error in
            XCTAssertEqual((error as? MarketDataError)?.code, "FILE_NOT_FOUND")
        }
    }
}
