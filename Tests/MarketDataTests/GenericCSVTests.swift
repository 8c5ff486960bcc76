import Foundation
import Market
import MarketData
import TestSupport
import XCTest

/// Generic CSV files written by hand: header or not, epoch or ISO stamps, bar-end
/// stamps, and bad rows reported by file and line, never repaired.
final class GenericCSVTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("marketdata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }

    private func fetch(_ options: BarFileOptions = BarFileOptions(), symbol: String = "MNQ") throws -> BarSeries {
        try FileBarSource(path: directory.path, options: options).fetchBars(BarRequest(
            instrument: Instruments.spec(symbol)!, timeframe: .m1, from: date("2024-03-04T00:00:00Z"),
            to: date("2024-03-05T00:00:00Z"))).bars
    }

    private func assertBadBarData(_ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try fetch(), file: file, line: line) { error in
            let error = error as! MarketDataError
            XCTAssertEqual(error.code, "BAD_BAR_DATA", file: file, line: line)
            XCTAssertTrue(error.message.contains(expected), "\(error.message) lacks \(expected)", file: file, line: line)
            XCTAssertEqual(error.usage.map(\.status), ["BAD_BAR_DATA"], file: file, line: line)
        }
    }

    func testHeaderWithEpochSecondsAndExtraColumns() throws {
        try write("MNQ_1m.csv", """
            ts,symbol,open,high,low,close,volume
            1709560800,MNQH4,18300.25,18301.5,18299.75,18301.0,120
            1709560860,MNQH4,18301.0,18302.0,18300.5,18301.75,95
            """)
        let bars = try fetch()
        XCTAssertEqual(bars.timestamps, [1_709_560_800, 1_709_560_860])
        XCTAssertEqual(bars.close, [18301.0, 18301.75])
    }

    func testHeaderlessISOAndBarEndStamps() throws {
        try write("mnq.csv", """
            2024-03-04T14:31:00Z,18300.25,18301.5,18299.75,18301.0,120\r
            2024-03-04T14:32:00Z,18301.0,18302.0,18300.5,18301.75,95\r
            """)
        XCTAssertEqual(try fetch().timestamps.first, epoch("2024-03-04T14:31:00Z"))
        XCTAssertEqual(try fetch(BarFileOptions(stamps: .barEnd)).timestamps.first, epoch("2024-03-04T14:30:00Z"))
    }

    func testUnreadableNumberNamesFileAndLine() throws {
        try write("MNQ.csv", """
            ts,open,high,low,close,volume
            1709560800,18300.25,18301.5,18299.75,18301.0,120

            1709560860,18301.0,n/a,18300.5,18301.75,95
            """)
        assertBadBarData("MNQ.csv:4")
    }

    func testInconsistentBarIsRejectedNotRepaired() throws {
        try write("MNQ.csv", """
            ts,open,high,low,close,volume
            1709560800,18300.25,18300.0,18299.75,18301.0,120
            """)
        assertBadBarData("HIGH_BELOW_OPEN_OR_CLOSE")
    }

    func testOverlappingFilesAreRejected() throws {
        let row = "1709560800,18300.25,18301.5,18299.75,18301.0,120\n"
        try write("MNQ_a.csv", row)
        try write("MNQ_b.csv", row)
        assertBadBarData("TIMESTAMP_NOT_INCREASING")
    }

    /// The byte-level reader keeps the text reader's rules: a byte-order mark, lone `\r`
    /// line ends, quoted and padded fields, and blank lines still counted in line numbers.
    func testByteOrderMarkCarriageReturnsQuotesAndLineNumbers() throws {
        try write("MNQ.csv", "\u{FEFF}ts,open,high,low,close,volume\r"
            + "\"1709560800\", 18300.25 ,18301.5,\"18299.75\",18301.0,120\r\r"
            + "1709560860,18301.0,18302.0,18300.5,18301.75,95\r  \t\r"
            + "1709560920,18301.75,18302.0,18300.5,18301.5,1e2\r")
        let bars = try fetch()
        XCTAssertEqual(bars.timestamps, [1_709_560_800, 1_709_560_860, 1_709_560_920])
        XCTAssertEqual(bars.open, [18300.25, 18301.0, 18301.75])
        XCTAssertEqual(bars.volume, [120, 95, 100], "an exponent takes the slow path and still parses")
        try write("MNQ.csv", "ts,open,high,low,close,volume\r\n\r\n1709560800,1,2,1,1,1\r\n1709560860,1,2,1,1\r\n")
        assertBadBarData("MNQ.csv:4: expected at least 6 fields, found 5")
    }

    func testMissingColumnIsNamed() throws {
        try write("MNQ.csv", "ts,open,high,low,close\n1709560800,1,1,1,1\n")
        assertBadBarData("volume")
    }
}
