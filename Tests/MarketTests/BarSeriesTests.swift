import XCTest
@testable import Market

final class BarSeriesTests: XCTestCase {
    private func series(
        _ ts: [Int64], o: [Double], h: [Double], l: [Double], c: [Double], v: [Double]? = nil
    ) throws(BarValidationError) -> BarSeries {
        try BarSeries(timeframe: .m1, timestamps: ts, open: o, high: h, low: l, close: c,
                      volume: v ?? Array(repeating: 1, count: ts.count))
    }

    private func expectError(
        _ rule: BarValidationError.Rule, row: Int, _ build: () throws(BarValidationError) -> BarSeries,
        line: UInt = #line
    ) {
        do {
            _ = try build()
            XCTFail("expected \(rule)", line: line)
        } catch {
            XCTAssertEqual(error.rule, rule, line: line)
            XCTAssertEqual(error.row, row, line: line)
            if row >= 0 { XCTAssertTrue(error.description.contains("row \(row)"), error.description, line: line) }
        }
    }

    func testValidSeries() throws {
        let s = try series([60, 120], o: [10, 11], h: [12, 12], l: [9, 10], c: [11, 11.5])
        XCTAssertEqual(s.count, 2)
        XCTAssertEqual(s.lowerBound(61), 1)
        XCTAssertEqual(s.window(from: 100, to: 200).timestamps, [120])
    }

    func testValidationNamesTheRow() {
        expectError(.timestampNotIncreasing, row: 2) { () throws(BarValidationError) -> BarSeries in
            try series([60, 120, 120], o: [1, 1, 1], h: [1, 1, 1], l: [1, 1, 1], c: [1, 1, 1])
        }
        expectError(.timestampNotIncreasing, row: 1) { () throws(BarValidationError) -> BarSeries in
            try series([120, 60], o: [1, 1], h: [1, 1], l: [1, 1], c: [1, 1])
        }
        expectError(.highBelowOpenOrClose, row: 1) { () throws(BarValidationError) -> BarSeries in
            try series([60, 120], o: [1, 2], h: [1, 1.5], l: [1, 1], c: [1, 1])
        }
        expectError(.lowAboveOpenOrClose, row: 0) { () throws(BarValidationError) -> BarSeries in
            try series([60], o: [2], h: [3], l: [2.5], c: [2.6])
        }
        expectError(.priceNotPositive, row: 1) { () throws(BarValidationError) -> BarSeries in
            try series([60, 120], o: [1, 0], h: [1, 1], l: [1, 0], c: [1, 1])
        }
        expectError(.priceNotFinite, row: 0) { () throws(BarValidationError) -> BarSeries in
            try series([60], o: [.nan], h: [1], l: [1], c: [1])
        }
        expectError(.volumeInvalid, row: 0) { () throws(BarValidationError) -> BarSeries in
            try series([60], o: [1], h: [1], l: [1], c: [1], v: [-1])
        }
        expectError(.lengthMismatch, row: -1) { () throws(BarValidationError) -> BarSeries in
            try series([60, 120], o: [1], h: [1, 1], l: [1, 1], c: [1, 1])
        }
    }

    /// 1m bars from 15:57 to 17:02 CT straddle the daily break: 5m buckets are aligned
    /// to the 17:00 open and the 15:55 bucket ends at 16:00.
    func testResampleAlignsToSessionAndNeverSpansTheBreak() throws {
        let friday1557 = Int64(CivilDate("2013-10-08")!.daysSinceEpoch) * 86_400 + 20 * 3600 + 57 * 60
        var ts: [Int64] = [friday1557, friday1557 + 60, friday1557 + 120]  // 15:57, 15:58, 15:59 CDT
        ts += [friday1557 + 63 * 60, friday1557 + 64 * 60, friday1557 + 65 * 60]  // 17:00, 17:01, 17:02
        let bars = try series(ts, o: [10, 11, 12, 20, 21, 22], h: [11, 12, 13, 21, 25, 23],
                              l: [9, 10, 11, 19, 20, 18], c: [11, 12, 13, 21, 22, 19], v: [1, 2, 3, 4, 5, 6])
        let five = try bars.resampled(to: .m5, session: .cmeEquityIndex)
        XCTAssertEqual(five.timeframe, .m5)
        XCTAssertEqual(five.timestamps, [friday1557 - 120, friday1557 + 63 * 60])
        XCTAssertEqual(five.open, [10, 20])
        XCTAssertEqual(five.high, [13, 25])
        XCTAssertEqual(five.low, [9, 18])
        XCTAssertEqual(five.close, [13, 19])
        XCTAssertEqual(five.volume, [6, 15])
        let hour = try bars.resampled(to: .h1, session: .cmeEquityIndex)
        XCTAssertEqual(hour.timestamps, [friday1557 - 57 * 60, friday1557 + 63 * 60])
        XCTAssertThrowsError(try five.resampled(to: .m1, session: .cmeEquityIndex))
    }

    func testResampleAlignsEquitiesToTheHalfHourOpen() throws {
        let open = Int64(CivilDate("2023-01-03")!.daysSinceEpoch) * 86_400 + 14 * 3600 + 30 * 60
        let ts = (0..<120).map { open + Int64($0) * 60 }
        let ones = Array(repeating: 1.0, count: 120)
        let bars = try series(ts, o: ones, h: ones, l: ones, c: ones)
        let hour = try bars.resampled(to: .h1, session: .usEquities)
        XCTAssertEqual(hour.timestamps, [open, open + 3600])
        XCTAssertEqual(hour.volume, [60, 60])
    }

    /// The fingerprint's byte layout is a contract (stored with every backtest): pin it.
    func testFingerprintIsSHA256OfLittleEndianColumns() throws {
        let s = try series([60, 120], o: [10, 11], h: [12, 12], l: [9, 10], c: [11, 11.5], v: [5, 0])
        var bytes: [UInt8] = []
        func put(_ word: UInt64) { withUnsafeBytes(of: word.littleEndian) { bytes += $0 } }
        put(60)
        for i in 0..<2 {
            put(UInt64(bitPattern: s.timestamps[i]))
            for value in [s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]] { put(value.bitPattern) }
        }
        XCTAssertEqual(s.fingerprint, SHA256.hex(bytes))
        // Long enough to cross several 1,024-bar chunks.
        let n = 2500
        let long = try series((0..<n).map { Int64($0 + 1) * 60 }, o: Array(repeating: 1, count: n),
                              h: Array(repeating: 2, count: n), l: Array(repeating: 0.5, count: n),
                              c: Array(repeating: 1.5, count: n))
        var expected = SHA256()
        expected.update(Int64(60))
        for i in 0..<n {
            expected.update(long.timestamps[i])
            for value in [long.open[i], long.high[i], long.low[i], long.close[i], long.volume[i]] { expected.update(value) }
        }
        XCTAssertEqual(long.fingerprint, expected.hexDigest())
    }

    func testFingerprintIsStableAndSensitive() throws {
        let a = try series([60, 120], o: [10, 11], h: [12, 12], l: [9, 10], c: [11, 11.5])
        let b = try series([60, 120], o: [10, 11], h: [12, 12], l: [9, 10], c: [11, 11.5])
        let c = try series([60, 120], o: [10, 11], h: [12, 12], l: [9, 10], c: [11, 11.25])
        XCTAssertEqual(a.fingerprint, b.fingerprint)
        XCTAssertNotEqual(a.fingerprint, c.fingerprint)
        XCTAssertEqual(a.fingerprint.count, 64)
    }
}
