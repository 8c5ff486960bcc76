import Foundation
import Market
import MarketData
import Paper
import XCTest

/// Bar streams and their health: a replay paced by its speed and ending, the synthetic
/// stream at a shortened bar clock (labelled, deterministic, valid), and the monitor's
/// verdicts — invalid bars refused, gaps counted against the calendar, silence going
/// stale and then stopping.
final class BarStreamTests: XCTestCase {
    private let es = Instruments.spec("ES")!

    private var esBars: BarSeries {
        get throws {
            let path = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("shared/data/es-1m/ES_front_month_1m_utc.csv").path
            return try FileBarSource(path: path).fetchBars(BarRequest(
                instrument: es, timeframe: .m5, from: ISO8601DateFormatter().date(from: "2013-10-07T13:30:00Z")!,
                to: ISO8601DateFormatter().date(from: "2013-10-07T21:50:00Z")!)).bars
        }
    }

    func testAReplayDeliversEveryBarInOrderAtItsSpeedAndEnds() throws {
        let bars = try esBars
        XCTAssertGreaterThan(bars.count, 80)
        let stream = ReplayBarStream(bars: bars, instrument: es, speed: 30_000)  // a 5-minute bar every 10 ms
        let started = Date()
        var seen: [StreamBar] = []
        while case .bar(let bar)? = stream.next(timeout: 1) { seen.append(bar) }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(seen, (0..<bars.count).map { StreamBar(bars, $0) })
        XCTAssertEqual(stream.next(timeout: 1), .end)
        XCTAssertGreaterThan(elapsed, Double(bars.count) * 0.009, "paced: 10 ms a bar")
        XCTAssertLessThan(elapsed, 5)

        let slow = ReplayBarStream(bars: bars, instrument: es, speed: 1)
        XCTAssertNil(slow.next(timeout: 0.05), "at real speed the first bar is 5 minutes away")
    }

    func testTheSyntheticStreamIsLabelledDeterministicAndValid() {
        let monday = Int64(CivilDate("2025-03-03")!.daysSinceEpoch) * 86_400
        func take(_ n: Int) -> [StreamBar] {
            let stream = SyntheticBarStream(instrument: es, barSeconds: 0.01, seed: 7, marketStart: monday)
            XCTAssertEqual(stream.source, "synthetic")
            var bars: [StreamBar] = []
            while bars.count < n {
                if case .bar(let bar)? = stream.next(timeout: 1) { bars.append(bar) }
            }
            return bars
        }
        let started = Date()
        let first = take(30)
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.25, "30 bars at 10 ms each")
        XCTAssertEqual(first, take(30), "same seed, same bars")
        let stream = SyntheticBarStream(instrument: es, barSeconds: 0.01, seed: 7, marketStart: monday)
        var monitor = StreamMonitor(for: stream, staleAfter: 1, stopAfter: 2)
        for bar in first {
            guard case .bar = monitor.accept(bar) else { return XCTFail("an invalid synthetic bar: \(bar)") }
        }
    }

    func testTheMonitorRefusesBadBarsAndCountsGaps() throws {
        let bars = try esBars
        let stream = ReplayBarStream(bars: bars, instrument: es)
        var monitor = StreamMonitor(for: stream, staleAfter: 1, stopAfter: 2)
        let a = StreamBar(bars, 0)
        XCTAssertEqual(monitor.accept(a), .bar(a, missingBefore: 0))
        let broken = StreamBar(time: a.time + 300, open: 1700, high: 1699, low: 1690, close: 1695, volume: 10)
        guard case .invalid(let code, _) = monitor.accept(broken) else { return XCTFail("a high below the open was accepted") }
        XCTAssertEqual(code, "HIGH_BELOW_OPEN_OR_CLOSE")
        guard case .invalid(let order, _) = monitor.accept(a) else { return XCTFail("a repeated bar was accepted") }
        XCTAssertEqual(order, "TIMESTAMP_NOT_INCREASING")
        XCTAssertEqual(monitor.lastBar, a, "refused bars are not taken")

        let later = StreamBar(bars, 5)
        XCTAssertEqual(monitor.accept(later), .bar(later, missingBefore: 4), "four 5-minute bars skipped")
        let friday = Int64(CivilDate("2013-10-11")!.daysSinceEpoch) * 86_400 + 20 * 3600 + 55 * 60  // 15:55 CT
        let sunday = Int64(CivilDate("2013-10-13")!.daysSinceEpoch) * 86_400 + 22 * 3600             // 17:00 CT
        let weekend = StreamMonitor(for: stream, staleAfter: 1, stopAfter: 2)
        XCTAssertEqual(weekend.expectedStarts(after: friday, before: sunday), 0, "a weekend is not a gap")
    }

    /// A stream that never answers, as a dead feed.
    private final class SilentStream: BarStream {
        let instrument = Instruments.spec("ES")!
        let timeframe = Timeframe.m1
        let source = "test"
        func next(timeout: TimeInterval) -> StreamItem? {
            Thread.sleep(forTimeInterval: timeout)
            return nil
        }
    }

    func testSilenceGoesStaleThenStops() {
        let stream = SilentStream()
        var monitor = StreamMonitor(for: stream, staleAfter: 0.15, stopAfter: 0.35)
        var verdicts: [String] = []
        for _ in 0..<8 {
            switch monitor.poll(stream, timeout: 0.05) {
            case .quiet: verdicts.append("quiet")
            case .stale: verdicts.append("stale")
            case .stop: verdicts.append("stop")
            default: verdicts.append("other")
            }
            if verdicts.last == "stop" { break }
        }
        XCTAssertEqual(verdicts.first, "quiet")
        XCTAssertTrue(verdicts.contains("stale"), "\(verdicts)")
        XCTAssertEqual(verdicts.last, "stop", "\(verdicts)")
        XCTAssertEqual(verdicts.firstIndex(of: "stale").map { $0 < verdicts.count - 1 }, true, "stale before stop")
    }
}
