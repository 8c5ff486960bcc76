import Foundation
import Market
import TestSupport
import XCTest
@testable import MarketData

/// `ReturnStatistics` on series small enough to check by hand. ES trade dates in March
/// 2024 (CST): the session of D runs D−1 23:00Z … D 22:00Z, regular hours 14:30Z … 21:00Z.
final class ReturnStatisticsTests: XCTestCase {
    private let es = Instruments.spec("ES")!

    private func day(_ text: String) -> SessionDay {
        let d = CivilDate(text)!.daysSinceEpoch
        return es.session.sessions(fromDay: d, throughDay: d).first!
    }

    /// One-minute bars from (start, open, close, volume); high and low bracket open and close.
    private func bars(_ rows: [(t: Int64, open: Double, close: Double, volume: Double)]) throws -> BarSeries {
        try BarSeries(
            timeframe: .m1, timestamps: rows.map(\.t), open: rows.map(\.open),
            high: rows.map { max($0.open, $0.close) }, low: rows.map { min($0.open, $0.close) },
            close: rows.map(\.close), volume: rows.map(\.volume))
    }

    /// Consecutive minutes from `start` with the given closes (each opens at the previous close).
    private func minutes(from start: Int64, closes: [Double], volume: Double = 1) -> [(t: Int64, open: Double, close: Double, volume: Double)] {
        closes.enumerated().map { i, c in (start + Int64(i) * 60, i == 0 ? c : closes[i - 1], c, volume) }
    }

    private func stats(_ rows: [(t: Int64, open: Double, close: Double, volume: Double)],
                       excluding: [Range<Int64>] = []) throws -> ReturnStatistics {
        ReturnStatistics(bars: try bars(rows), session: es.session, excluding: excluding)
    }

    // MARK: - Moments

    func testAlternatingReturnsHaveAutocorrelationMinusOne() throws {
        // 100, 101, 100, 101 … : returns ±log(1.01) in turn, 40 of them.
        let closes = (0...40).map { $0 % 2 == 0 ? 100.0 : 101.0 }
        let s = try stats(minutes(from: day("2024-03-05").regularOpen + 3600, closes: closes))
        XCTAssertEqual(s.returns, 40)
        XCTAssertEqual(try XCTUnwrap(s.autocorrelation), -1, accuracy: 1e-12)
        // Two equally likely values: m4 / m2² = 1, so excess kurtosis −2.
        XCTAssertEqual(try XCTUnwrap(s.excessKurtosis), -2, accuracy: 1e-12)
        // |r| is constant: its autocorrelation is undefined, not 0 or NaN.
        XCTAssertNil(s.absoluteAutocorrelation)
        // SD of ±a is a; annualised with √(252 × 1380) minutes.
        XCTAssertEqual(try XCTUnwrap(s.annualizedVolatility), log(1.01) * (252.0 * 1380).squareRoot(), accuracy: 1e-12)
    }

    func testKnownKurtosis() throws {
        // Returns 0 ×8, +a, −a per ten minutes: m2 = a²/5, m4 = a⁴/5, so m4/m2² − 3 = 2.
        let a = 0.001
        var logs = [0.0]
        for _ in 0..<10 {
            for r in [0, 0, 0, 0, a, 0, 0, 0, -a, 0] { logs.append(logs.last! + r) }
        }
        let s = try stats(minutes(from: day("2024-03-05").regularOpen + 3600, closes: logs.map { 4000 * exp($0) }))
        XCTAssertEqual(s.returns, 100)
        XCTAssertEqual(try XCTUnwrap(s.excessKurtosis), 2, accuracy: 1e-9)
    }

    func testConstantReturnsDefineNoMoments() throws {
        let s = try stats(minutes(from: day("2024-03-05").regularOpen, closes: Array(repeating: 4000, count: 30)))
        XCTAssertEqual(s.returns, 29)
        XCTAssertEqual(s.annualizedVolatility, 0)
        XCTAssertNil(s.excessKurtosis)
        XCTAssertNil(s.autocorrelation)
        XCTAssertNil(s.absoluteAutocorrelation)
    }

    func testMomentsHelpers() {
        XCTAssertNil(SampleMoments.mean([]))
        XCTAssertNil(SampleMoments.populationSD([1]))
        XCTAssertEqual(SampleMoments.populationSD([1, 3]), 1)
        XCTAssertEqual(try XCTUnwrap(SampleMoments.sampleSD([1, 3])), 2.0.squareRoot(), accuracy: 1e-15)
        XCTAssertNil(SampleMoments.excessKurtosis([1, 2, 3]))
        // 1, 2 | 3, 4: the pairs are (1, 2) and (3, 4), not (2, 3). Mean 2.5, γ0 = 1.25,
        // γ1 = ((2 − 2.5)(1 − 2.5) + (4 − 2.5)(3 − 2.5)) / 2 = 0.75.
        XCTAssertEqual(try XCTUnwrap(SampleMoments.lag1Autocorrelation([1, 2, 3, 4], continues: [false, true, false, true])),
                       0.75 / 1.25, accuracy: 1e-15)
        XCTAssertNil(SampleMoments.lag1Autocorrelation([1, 2], continues: [false, false]))
    }

    // MARK: - Which returns count

    func testReturnsDoNotSpanAMissingMinute() throws {
        let start = day("2024-03-05").regularOpen + 3600
        // +r, −r | gap | −r, +r: the 100 → 101 move across the missing minutes is no return,
        // and no pair straddles the gap (−r after −r would pull the autocorrelation up).
        var rows = minutes(from: start, closes: [100, 101, 100])
        rows += minutes(from: start + 10 * 60, closes: [101, 100, 101])
        let s = try stats(rows)
        XCTAssertEqual(s.returns, 4)
        XCTAssertEqual(s.skippedReturns, 1)
        XCTAssertEqual(try XCTUnwrap(s.autocorrelation), -1, accuracy: 1e-12)
    }

    func testBarsAfterTheCloseAndAcrossTheBreakAreLeftOut() throws {
        let d = day("2024-03-05")
        // 21:59Z is the session's last minute; 22:00Z–22:14Z is the old post-close tail,
        // and 23:00Z opens the next session (the move across the break is a gap).
        var rows = minutes(from: d.close - 60, closes: [100])
        rows += minutes(from: d.close, closes: [120, 130])
        rows += minutes(from: day("2024-03-06").open, closes: [140, 141])
        let sample = MinuteReturns(bars: try bars(rows), session: es.session)
        XCTAssertEqual(sample.returns.map(\.time), [day("2024-03-06").open + 60])
        XCTAssertEqual(sample.bars, 3)
        XCTAssertEqual(sample.sessions.map(\.lastClose), [100, 141])
    }

    func testExcludedMinutesDropTheirReturnsAndBreakTheChain() throws {
        let start = day("2024-03-05").regularOpen + 3600
        let rows = minutes(from: start, closes: [100, 101, 100, 101, 100, 101])
        let sample = MinuteReturns(bars: try bars(rows), session: es.session,
                                   excluding: [(start + 2 * 60)..<(start + 3 * 60)])
        XCTAssertEqual(sample.returns.map(\.time), [start + 60, start + 3 * 60, start + 4 * 60, start + 5 * 60])
        XCTAssertEqual(sample.returns.map(\.continuesPrevious), [false, false, true, true])
    }

    // MARK: - Time of day, volume, sessions

    func testSessionParts() {
        let d = day("2024-03-05")
        XCTAssertEqual(d.regularOpen, epoch("2024-03-05T14:30:00Z"))
        XCTAssertEqual(SessionPart.of(epoch("2024-03-05T14:29:00Z"), in: d), .overnight)
        XCTAssertEqual(SessionPart.of(epoch("2024-03-05T14:30:00Z"), in: d), .open)
        XCTAssertEqual(SessionPart.of(epoch("2024-03-05T14:59:00Z"), in: d), .open)
        XCTAssertEqual(SessionPart.of(epoch("2024-03-05T15:00:00Z"), in: d), .otherRegular)
        XCTAssertEqual(SessionPart.of(epoch("2024-03-05T16:30:00Z"), in: d), .midday)  // 11:30 ET
        XCTAssertEqual(SessionPart.of(epoch("2024-03-05T18:29:00Z"), in: d), .midday)
        XCTAssertEqual(SessionPart.of(epoch("2024-03-05T18:30:00Z"), in: d), .otherRegular)  // 13:30 ET
        XCTAssertEqual(SessionPart.of(epoch("2024-03-05T20:30:00Z"), in: d), .close)
        XCTAssertEqual(SessionPart.of(epoch("2024-03-05T20:59:00Z"), in: d), .close)
        XCTAssertEqual(SessionPart.of(epoch("2024-03-05T21:00:00Z"), in: d), .overnight)
    }

    func testVolatilityRatiosAndVolume() throws {
        let d = day("2024-03-05")
        // Overnight minutes move ±1 with volume 2; the first 30 RTH minutes move ±3 with volume 10.
        var rows = minutes(from: d.regularOpen - 31 * 60, closes: (0...30).map { $0 % 2 == 0 ? 1000.0 : 1001.0 }, volume: 2)
        rows += minutes(from: d.regularOpen, closes: (0..<30).map { $0 % 2 == 0 ? 1003.0 : 1000.0 }, volume: 10)
        let s = try stats(rows)
        XCTAssertEqual(s.returns, 60)
        XCTAssertEqual(try XCTUnwrap(s.regularToOvernightVolume), 5, accuracy: 1e-12)
        let small = log(1001.0 / 1000), big = log(1003.0 / 1000)
        let all = ((30 * small * small + 30 * big * big) / 60).squareRoot()  // means ≈ 0 by symmetry
        XCTAssertEqual(try XCTUnwrap(s.openVolatilityRatio), big / all, accuracy: 0.01)
        XCTAssertEqual(try XCTUnwrap(s.overnightVolatilityRatio), small / all, accuracy: 0.01)
        XCTAssertNil(s.middayVolatilityRatio)
    }

    func testGapsAndSessionReturnsUseWholeConsecutiveSessions() throws {
        // Three whole sessions, Tue, Wed and Fri (Thursday missing): each opens at its
        // first price and drifts to its last. Wed opens 10 bp above Tue's close; the Fri
        // gap is not a gap (Thursday's session is missing).
        func whole(_ date: String, from a: Double, to b: Double) -> [(t: Int64, open: Double, close: Double, volume: Double)] {
            let d = day(date)
            let n = Int(d.close - d.open) / 60
            let closes = (0..<n).map { a * exp(log(b / a) * Double($0 + 1) / Double(n)) }
            var rows = minutes(from: d.open, closes: closes)
            rows[0].open = a
            return rows
        }
        let tueClose = 4040.0
        let rows = whole("2024-03-05", from: 4000, to: tueClose)
            + whole("2024-03-06", from: tueClose * exp(0.001), to: 4000)
            + whole("2024-03-08", from: 3000, to: 3030)
        let s = try stats(rows)
        XCTAssertEqual(s.sessions, 3)
        XCTAssertEqual(s.wholeSessions, 3)
        XCTAssertEqual(s.gaps, 1)
        XCTAssertEqual(try XCTUnwrap(s.meanAbsoluteGapBps), 10, accuracy: 1e-6)
        let r = [log(tueClose / 4000), log(4000 / (tueClose * exp(0.001))), log(3030.0 / 3000)].map { $0 * 100 }
        let m = r.reduce(0, +) / 3
        let sd = (r.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 2).squareRoot()
        XCTAssertEqual(try XCTUnwrap(s.sessionReturnSDPercent), sd, accuracy: 1e-9)
    }

    func testPartialSessionsDoNotCountAsWhole() throws {
        let d = day("2024-03-05")
        // Starts an hour late: covers its close but not its open.
        let s = try stats(minutes(from: d.open + 3600, closes: Array(repeating: 4000, count: Int(d.close - d.open) / 60 - 60)))
        XCTAssertEqual(s.sessions, 1)
        XCTAssertEqual(s.wholeSessions, 0)
        XCTAssertNil(s.sessionReturnSDPercent)
    }
}
