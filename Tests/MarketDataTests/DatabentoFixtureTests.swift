import Foundation
import Market
@testable import MarketData
import TestSupport
import XCTest

/// The recorded Databento fixtures hold the same two bars in every encoding; all of
/// them must decode to identical columns.
final class DatabentoFixtureTests: XCTestCase {
    private func decode(_ file: String) throws -> BarColumns {
        try BarFileDecoder.decode(fileAt: SharedData.path("databento/\(file)"), options: BarFileOptions())
    }

    private func assertAllEqual(_ files: [String], expected: BarColumns, file: StaticString = #filePath, line: UInt = #line) throws {
        for name in files {
            XCTAssertEqual(try decode(name), expected, "\(name) decodes differently", file: file, line: line)
        }
    }

    func testOneMinuteEncodingsAgree() throws {
        var expected = BarColumns()
        expected.append(epoch("2020-12-28T13:00:00Z"), 372_025, 372_150, 372_025, 372_100, 353)
        expected.append(epoch("2020-12-28T13:01:00Z"), 372_100, 372_150, 372_100, 372_150, 152)
        try assertAllEqual([
            "test_data.ohlcv-1m.dbn", "test_data.ohlcv-1m.dbn.zst", "ohlcv-1m.csv", "ohlcv-1m.pretty.csv",
            "ohlcv-1m.json", "ohlcv-1m.pretty.json",
        ], expected: expected)
    }

    func testOneHourEncodingsAgree() throws {
        var expected = BarColumns()
        expected.append(epoch("2020-12-28T13:00:00Z"), 372_025, 372_350, 372_025, 372_225, 9385)
        expected.append(epoch("2020-12-28T14:00:00Z"), 372_225, 372_450, 371_600, 371_950, 112_698)
        try assertAllEqual([
            "test_data.ohlcv-1h.dbn.zst", "ohlcv-1h.csv", "ohlcv-1h.pretty.csv", "ohlcv-1h.json", "ohlcv-1h.pretty.json",
        ], expected: expected)
    }

    func testOneSecondEncodingsAgree() throws {
        var expected = BarColumns()
        expected.append(epoch("2020-12-28T13:00:00Z"), 372_025, 372_050, 372_025, 372_050, 57)
        expected.append(epoch("2020-12-28T13:00:01Z"), 372_050, 372_050, 372_050, 372_050, 13)
        try assertAllEqual([
            "test_data.ohlcv-1s.dbn.zst", "ohlcv-1s.csv", "ohlcv-1s.pretty.csv", "ohlcv-1s.json", "ohlcv-1s.pretty.json",
        ], expected: expected)
    }

    func testCompressedAndPlainDBNAreByteIdenticalAfterDecompression() throws {
        let plain = try SharedData.contents("databento/test_data.ohlcv-1m.dbn")
        let compressed = try SharedData.contents("databento/test_data.ohlcv-1m.dbn.zst")
        XCTAssertEqual(try Zstd.decompress(compressed, name: "fixture"), plain)
    }

    func testFileSourceServesDBNAsValidatedSeries() throws {
        let source = FileBarSource(path: SharedData.path("databento/test_data.ohlcv-1m.dbn.zst"))
        let fetch = try source.fetchBars(BarRequest(
            instrument: Instruments.spec("ES")!, timeframe: .m1, from: date("2020-12-28T00:00:00Z"),
            to: date("2020-12-29T00:00:00Z")))
        XCTAssertEqual(fetch.source, "file")
        XCTAssertEqual(fetch.bars.count, 2)
        XCTAssertEqual(fetch.bars.close, [372_100, 372_150])
        XCTAssertEqual(fetch.usage.map(\.status), ["OK"])
        XCTAssertEqual(fetch.usage.first?.barsReturned, 2)
    }

    func testEveryEncodingGivesTheSameSeriesThroughTheFileProvider() throws {
        for (timeframe, files) in [
            (Timeframe.m1, ["test_data.ohlcv-1m.dbn", "test_data.ohlcv-1m.dbn.zst", "ohlcv-1m.csv", "ohlcv-1m.pretty.csv",
                            "ohlcv-1m.json", "ohlcv-1m.pretty.json"]),
            (Timeframe.h1, ["test_data.ohlcv-1h.dbn.zst", "ohlcv-1h.csv", "ohlcv-1h.pretty.csv", "ohlcv-1h.json",
                            "ohlcv-1h.pretty.json"]),
        ] {
            let fingerprints = try Set(files.map { file in
                try FileBarSource(path: SharedData.path("databento/\(file)")).fetchBars(BarRequest(
                    instrument: Instruments.spec("ES")!, timeframe: timeframe, from: date("2020-12-28T00:00:00Z"),
                    to: date("2020-12-29T00:00:00Z"))).bars.fingerprint
            })
            XCTAssertEqual(fingerprints.count, 1, "\(timeframe.rawValue) encodings disagree")
        }
    }

    func testSecondBarsAggregateToOneMinute() throws {
        let source = FileBarSource(path: SharedData.path("databento/ohlcv-1s.pretty.csv"))
        let bars = try source.fetchBars(BarRequest(
            instrument: Instruments.spec("ES")!, timeframe: .m1, from: date("2020-12-28T00:00:00Z"),
            to: date("2020-12-29T00:00:00Z"))).bars
        XCTAssertEqual(bars.timestamps, [epoch("2020-12-28T13:00:00Z")])
        XCTAssertEqual([bars.open[0], bars.high[0], bars.low[0], bars.close[0], bars.volume[0]],
                       [372_025, 372_050, 372_025, 372_050, 70])
    }

    func testNonOHLCVSchemaIsRefused() {
        XCTAssertThrowsError(try decode("test_data.definition.futures_contract.dbn.zst")) { error in
            XCTAssertEqual((error as? MarketDataError)?.code, "BAD_BAR_DATA")
            XCTAssertTrue((error as? MarketDataError)?.message.contains("schema 9") == true)
        }
    }

    func testTruncatedDBNIsAnErrorNotAShorterSeries() throws {
        let plain = try SharedData.contents("databento/test_data.ohlcv-1m.dbn")
        XCTAssertThrowsError(try DBNDecoder.decode(plain.dropLast(8), name: "cut.dbn")) { error in
            XCTAssertEqual((error as? MarketDataError)?.code, "BAD_BAR_DATA")
        }
        let compressed = try SharedData.contents("databento/test_data.ohlcv-1m.dbn.zst")
        XCTAssertThrowsError(try Zstd.decompress(compressed.dropLast(10), name: "cut.zst")) { error in
            XCTAssertEqual((error as? MarketDataError)?.code, "BAD_BAR_DATA")
        }
    }
}
