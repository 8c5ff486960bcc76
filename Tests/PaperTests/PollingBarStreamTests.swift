import Foundation
import Market
import MarketData
import Paper
import TestSupport
import XCTest

/// Provider polling streams against a stand-in Databento / Polygon serving the real
/// recorded ES minutes: bars only once the provider's latency has passed, in order,
/// never twice; heartbeats when nothing is new; an outage (5xx, refused connections)
/// is silence with a 1, 2, 4 … 60 s backoff, then the missed span is backfilled in
/// order; minutes without trades stay gaps; the key shows in no message or log.
final class PollingBarStreamTests: XCTestCase {
    private let es = Instruments.spec("ES")!
    private let key = "db-POLLKEY-7f3a91c2e5"
    private var servers: [StandInServer] = []

    override func tearDown() {
        servers.forEach { $0.stop() }
        servers = []
    }

    private func start(_ provider: RecordedProvider, port: UInt16 = 0) throws -> StandInServer {
        let server = try StandInServer(port: port) { request, index in provider.serve(request, index) }
        servers.append(server)
        return server
    }

    private func environment(_ shape: RecordedProvider.Shape, _ server: StandInServer) -> [String: String] {
        switch shape {
        case .databento: ["DATABENTO_API_KEY": key, "DATABENTO_BASE_URL": server.baseURL.absoluteString]
        case .polygon: ["POLYGON_API_KEY": key, "POLYGON_BASE_URL": server.baseURL.absoluteString]
        }
    }

    private func stream(_ shape: RecordedProvider.Shape, _ server: StandInServer, clock: TestClock, latency: TimeInterval,
                        pollInterval: TimeInterval = 10, startingAt start: Int64? = nil, logs: LogLines? = nil)
        throws -> PollingBarStream {
        try PollingBarStream.make(
            source: shape == .databento ? "databento" : "polygon", instrument: es,
            environment: environment(shape, server), latency: latency, pollInterval: pollInterval, startingAt: start,
            now: { clock.now }, logger: logs?.logger)
    }

    /// Everything the stream has ready at the clock's present: bars until the first
    /// heartbeat or silence.
    private func drain(_ stream: PollingBarStream) -> (bars: [StreamBar], last: StreamItem?) {
        var bars: [StreamBar] = []
        while true {
            let item = stream.next(timeout: 0)
            guard case .bar(let bar)? = item else { return (bars, item) }
            bars.append(bar)
        }
    }

    private func assertStrictlyIncreasing(_ bars: [StreamBar], file: StaticString = #filePath, line: UInt = #line) {
        for (a, b) in zip(bars, bars.dropFirst()) where b.time <= a.time {
            XCTFail("\(isoUTC(b.time)) delivered after \(isoUTC(a.time))", file: file, line: line)
        }
    }

    // MARK: - Delivery and latency

    func testBarsArriveInOrderOnlyOnceTheProvidersLatencyHasPassed() throws {
        let clock = TestClock(date("2013-10-07T14:00:30Z"))
        let provider = RecordedProvider(.databento, key: key, clock: clock, latency: 120)
        let server = try start(provider)
        let stream = try stream(.databento, server, clock: clock, latency: 120)
        XCTAssertEqual(stream.source, "databento")
        XCTAssertEqual(stream.nextBarStart, epoch("2013-10-07T13:58:00Z"), "the first bar closing after the start")

        var delivered: [(bar: StreamBar, at: Date)] = []
        var heartbeats = 0
        for _ in 0..<(30 * 6) {  // 30 minutes in 10 s steps
            clock.advance(10)
            let (bars, last) = drain(stream)
            delivered += bars.map { ($0, clock.now) }
            if last == .heartbeat { heartbeats += 1 }
        }
        let expected = provider.recorded(from: epoch("2013-10-07T13:58:00Z"), to: epoch("2013-10-07T14:28:00Z"))
        XCTAssertEqual(expected.count, 30)
        XCTAssertEqual(delivered.map(\.bar), expected, "every recorded bar, in order, once")
        for (bar, at) in delivered {
            let published = Double(bar.time + 60) + 120
            XCTAssertGreaterThanOrEqual(at.timeIntervalSince1970, published, "\(isoUTC(bar.time)) before its latency passed")
            XCTAssertLessThanOrEqual(at.timeIntervalSince1970, published + 10, "\(isoUTC(bar.time)) later than one poll")
        }
        XCTAssertEqual(provider.askedTooEarly, [], "a window reached past now − latency")
        XCTAssertGreaterThan(heartbeats, 100, "polls with nothing new are heartbeats")
        XCTAssertEqual(stream.failures, 0)
        XCTAssertEqual(stream.lastDelivered, epoch("2013-10-07T14:27:00Z"))
    }

    func testAnAcceleratedClockPacesTheBarsByTheLatency() throws {
        // 300 market seconds per wall second: 15 recorded minutes in three seconds.
        let origin = date("2013-10-07T15:00:00Z"), wallStart = Date(), rate = 300.0
        let now = { origin.addingTimeInterval(Date().timeIntervalSince(wallStart) * rate) }
        let provider = RecordedProvider(.polygon, key: key)
        let server = try start(provider)
        let stream = try PollingBarStream.make(
            source: "polygon", instrument: es, environment: environment(.polygon, server), latency: 120, pollInterval: 5,
            now: now, clockRate: rate)
        XCTAssertEqual(stream.source, "polygon")
        var delivered: [(bar: StreamBar, at: Date)] = []
        var heartbeats = 0
        while now() < origin.addingTimeInterval(15 * 60) {
            switch stream.next(timeout: 0.5) {
            case .bar(let bar)?: delivered.append((bar, now()))
            case .heartbeat?: heartbeats += 1
            case .end?: XCTFail("a polling stream does not end")
            case nil: break
            }
        }
        let first = epoch("2013-10-07T14:58:00Z")
        let bars = delivered.map(\.bar)
        XCTAssertEqual(bars, Array(provider.recorded(from: first, to: first + 60 * Int64(bars.count))), "in order, none skipped")
        XCTAssertGreaterThanOrEqual(bars.count, 12)
        for (bar, at) in delivered {
            let lag = at.timeIntervalSince1970 - (Double(bar.time + 60) + 120)
            XCTAssertGreaterThanOrEqual(lag, 0, "\(isoUTC(bar.time)) before its latency passed")
            XCTAssertLessThan(lag, 90, "\(isoUTC(bar.time)) held back")
        }
        XCTAssertGreaterThan(heartbeats, 0)
    }

    func testNothingNewIsAHeartbeatAndBetweenPollsItStaysQuiet() throws {
        let clock = TestClock(date("2013-10-07T14:00:05Z"))
        let provider = RecordedProvider(.databento, key: key)
        let server = try start(provider)
        let stream = try stream(.databento, server, clock: clock, latency: 60, pollInterval: 10)
        // 14:00:05 − 60 s: no bar can have closed yet; the provider is asked for the last
        // published minute (13:58, before the stream's start) and its answer is a heartbeat.
        XCTAssertEqual(stream.next(timeout: 0), .heartbeat)
        XCTAssertEqual(server.requests.map { $0.form["start"]! + " " + $0.form["end"]! },
                       ["2013-10-07T13:58:00Z 2013-10-07T13:59:00Z"])
        clock.advance(5)
        XCTAssertNil(stream.next(timeout: 0), "no poll before the interval")
        XCTAssertEqual(server.requests.count, 1)
        clock.advance(5)
        XCTAssertEqual(stream.next(timeout: 0), .heartbeat)
        XCTAssertEqual(server.requests.count, 2)
        clock.advance(45)  // 14:01:00: the 13:59 bar's latency has passed
        XCTAssertEqual(drain(stream).bars.map(\.time), [epoch("2013-10-07T13:59:00Z")])
        XCTAssertEqual(server.requests.count, 3)
        clock.advance(10)
        XCTAssertEqual(stream.next(timeout: 0), .heartbeat, "the provider answered: nothing new yet")
        XCTAssertEqual(server.requests.count, 4)
        clock.advance(50)  // 14:02:00: the 14:00 bar is out
        XCTAssertEqual(stream.next(timeout: 0), .bar(provider.recorded(from: epoch("2013-10-07T14:00:00Z"),
                                                                        to: epoch("2013-10-07T14:01:00Z"))[0]))

        // A closed market answers NO_DATA: the provider is alive, so heartbeats, not an outage.
        let saturday = TestClock(date("2013-10-05T12:00:00Z"))
        let closed = try self.stream(.databento, server, clock: saturday, latency: 60, pollInterval: 10)
        for _ in 0..<5 {
            saturday.advance(60)
            XCTAssertEqual(closed.next(timeout: 0), .heartbeat)
        }
        XCTAssertEqual(closed.failures, 0)
        XCTAssertEqual(closed.reconnects, [])
    }

    // MARK: - Outages

    func testAServerErrorOutageBacksOffThenBackfillsTheMissedBarsInOrder() throws {
        let clock = TestClock(date("2013-10-07T14:00:00Z"))
        let provider = RecordedProvider(.databento, key: key, clock: clock, latency: 60)
        let server = try start(provider)
        let logs = LogLines()
        let stream = try stream(.databento, server, clock: clock, latency: 60, pollInterval: 10, logs: logs)
        var delivered: [StreamBar] = []
        for _ in 0..<30 {  // five minutes
            clock.advance(10)
            delivered += drain(stream).bars
        }
        XCTAssertEqual(delivered.count, 5)
        let beforeOutage = server.requests.count

        // Ten minutes of HTTP 503, looked at every half second.
        provider.failing = 503
        var silent = 0
        for _ in 0..<1200 {
            clock.advance(0.5)
            let (bars, last) = drain(stream)
            XCTAssertEqual(bars, [], "no bar during the outage")
            if last == nil { silent += 1 } else { XCTAssertNil(last, "an outage is silence, not \(String(describing: last))") }
        }
        XCTAssertEqual(silent, 1200)
        let attempts = stream.reconnects
        // First failure at 14:05:10, then +1, +3, +7, +15, +31, +63, +123 … +543 s.
        XCTAssertEqual(attempts.map(\.delay), [1, 2, 4, 8, 16, 32] + Array(repeating: 60, count: 9))
        XCTAssertEqual(attempts.map(\.attempt), Array(1...15))
        XCTAssertEqual(attempts.first?.failedAt, date("2013-10-07T14:05:10Z"))
        for (a, b) in zip(attempts, attempts.dropFirst()) {
            XCTAssertEqual(b.failedAt.timeIntervalSince(a.failedAt), a.delay, "retried exactly after the backoff")
        }
        XCTAssertEqual(server.requests.count - beforeOutage, attempts.count, "no call while backing off")
        XCTAssertEqual(Set(attempts.map(\.code)), ["PROVIDER_UNAVAILABLE"])
        XCTAssertEqual(stream.failures, 15)

        // Recovery: the next retry backfills the whole missed span, in order, then live again.
        provider.failing = nil
        var backfill: [StreamBar] = []
        while backfill.isEmpty {
            clock.advance(0.5)
            backfill = drain(stream).bars
        }
        XCTAssertEqual(backfill.first?.time, delivered.last.map { $0.time + 60 }, "resumes right after the last bar")
        XCTAssertGreaterThanOrEqual(backfill.count, 10, "the ten missed minutes come at once")
        XCTAssertEqual(stream.backfilledBars, backfill.count)
        XCTAssertEqual(stream.failures, 0)
        delivered += backfill
        for _ in 0..<30 {
            clock.advance(10)
            delivered += drain(stream).bars
        }
        assertStrictlyIncreasing(delivered)
        let through = delivered.last!.time + 60
        XCTAssertEqual(delivered, provider.recorded(from: delivered[0].time, to: through), "nothing lost, nothing twice")
        XCTAssertEqual(provider.askedTooEarly, [])

        // The key never shows: the 503 bodies echoed it.
        for attempt in attempts { XCTAssertFalse(attempt.message.contains(key), attempt.message) }
        XCTAssertTrue(attempts[0].message.contains("503"), attempts[0].message)
        let lines = logs.all
        XCTAssertEqual(lines.filter { $0.contains("STREAM_RECONNECTING") }.count, 15)
        XCTAssertEqual(lines.filter { $0.contains("STREAM_RECONNECTED") }.count, 1)
        XCTAssertTrue(lines.contains { $0.contains("backfilled_bars=\(backfill.count)") }, lines.joined(separator: "\n"))
        for line in lines { XCTAssertFalse(line.contains(key), line) }
    }

    func testRefusedConnectionsGoStaleThenTheMissedBarsAreBackfilled() throws {
        let clock = TestClock(date("2013-10-07T16:00:00Z"))
        let provider = RecordedProvider(.polygon, key: key, clock: clock, latency: 120)
        var server = try start(provider)
        let port = server.port
        let stream = try stream(.polygon, server, clock: clock, latency: 120, pollInterval: 10)
        var monitor = StreamMonitor(for: stream, staleAfter: 0.3, stopAfter: 30)
        var delivered: [StreamBar] = []
        func step(_ seconds: TimeInterval) -> [StreamMonitor.Verdict] {
            clock.advance(seconds)
            var verdicts: [StreamMonitor.Verdict] = []
            while true {
                let verdict = monitor.poll(stream, timeout: 0)
                verdicts.append(verdict)
                guard case .bar(let bar, _) = verdict else { return verdicts }
                delivered.append(bar)
            }
        }
        for _ in 0..<30 { _ = step(10) }
        XCTAssertEqual(delivered.count, 5)

        server.stop()  // connections refused
        var verdicts: [StreamMonitor.Verdict] = []
        for _ in 0..<8 {
            verdicts += step(15)
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertFalse(verdicts.contains { if case .bar = $0 { true } else { false } })
        XCTAssertFalse(verdicts.contains(.heartbeat), "a refused connection is no sign of life")
        Thread.sleep(forTimeInterval: 0.3)
        guard case .stale = monitor.poll(stream, timeout: 0) else {
            return XCTFail("the monitor does not see the outage go stale")
        }
        XCTAssertEqual(stream.reconnects.map(\.delay), [1, 2, 4, 8, 16, 32])
        XCTAssertEqual(Set(stream.reconnects.map(\.code)), ["PROVIDER_UNAVAILABLE"])
        for attempt in stream.reconnects { XCTAssertFalse(attempt.message.contains(key), attempt.message) }

        server = try start(provider, port: port)  // back where the stream expects it
        var recovered: [StreamMonitor.Verdict] = []
        while !recovered.contains(where: { if case .bar = $0 { true } else { false } }) { recovered += step(5) }
        XCTAssertGreaterThan(stream.backfilledBars, 0)
        for _ in 0..<12 { _ = step(10) }
        assertStrictlyIncreasing(delivered)
        XCTAssertEqual(delivered, provider.recorded(from: delivered[0].time, to: delivered.last!.time + 60),
                       "the outage lost no bar the provider has")
        XCTAssertEqual(provider.askedTooEarly, [])
    }

    func testMinutesWithoutTradesStayGapsAfterABackfill() throws {
        // 03:00–03:30 UTC overnight: the recording has no 03:12, 03:15, 03:20, 03:23, 03:27.
        let clock = TestClock(date("2013-10-07T03:01:00Z"))
        let provider = RecordedProvider(.databento, key: key, clock: clock, latency: 60)
        let server = try start(provider)
        let stream = try stream(.databento, server, clock: clock, latency: 60, pollInterval: 10)
        var monitor = StreamMonitor(for: stream, staleAfter: 60, stopAfter: 120)
        var delivered: [StreamBar] = [], missing = 0
        func take() {
            for bar in drain(stream).bars {
                delivered.append(bar)
                guard case .bar(_, let before) = monitor.accept(bar) else { return XCTFail("invalid \(bar)") }
                missing += before
            }
        }
        for _ in 0..<54 { clock.advance(10); take() }  // to 03:10
        provider.failing = 500
        for _ in 0..<(15 * 6) { clock.advance(10); take() }  // out until 03:25
        provider.failing = nil
        for _ in 0..<(7 * 6) { clock.advance(10); take() }  // to 03:32
        let expected = provider.recorded(from: epoch("2013-10-07T03:00:00Z"), to: epoch("2013-10-07T03:31:00Z"))
        XCTAssertEqual(expected.count, 26)
        XCTAssertEqual(delivered, expected, "the provider's bars, none invented for the missing minutes")
        XCTAssertEqual(missing, 5, "the five minutes without trades are gaps")
        XCTAssertGreaterThan(stream.backfilledBars, 10)
    }

    func testABacklogLongerThanOneWindowIsFetchedInOrder() throws {
        // Resuming from Saturday on Monday evening: the closed weekend's empty windows are
        // passed over, then Sunday's open onwards comes window by window, then live.
        let clock = TestClock(date("2013-10-07T23:00:00Z"))
        let provider = RecordedProvider(.databento, key: key)
        let server = try start(provider)
        let source = try BarSources.make(spec: "databento", environment: environment(.databento, server))
        let stream = PollingBarStream(
            provider: source, instrument: es, latency: 60, startingAt: epoch("2013-10-05T00:00:00Z"), maxSpan: 6 * 3600,
            now: { clock.now })
        // One window per call: an empty one (the weekend) is a heartbeat, then on.
        var bars: [StreamBar] = [], heartbeats = 0
        while let item = stream.next(timeout: 0) {
            switch item {
            case .bar(let bar): bars.append(bar)
            case .heartbeat: heartbeats += 1
            case .end: return XCTFail("a polling stream does not end")
            }
        }
        XCTAssertEqual(heartbeats, 7, "Saturday 00:00 to Sunday 18:00 in empty 6-hour windows")
        let expected = provider.recorded(from: epoch("2013-10-05T00:00:00Z"), to: epoch("2013-10-07T22:59:00Z"))
        XCTAssertEqual(expected.first?.time, epoch("2013-10-06T22:00:00Z"))
        XCTAssertGreaterThan(expected.count, 1000)
        XCTAssertEqual(bars, expected)
        let windows = server.requests.map { ($0.form["start"]!, $0.form["end"]!) }
        XCTAssertGreaterThanOrEqual(windows.count, 12, "three days asked in 6-hour windows")
        for (start, end) in windows {
            XCTAssertLessThanOrEqual(epoch(end) - epoch(start), 6 * 3600, "\(start) … \(end)")
        }
        clock.advance(10)
        XCTAssertEqual(stream.next(timeout: 0), .heartbeat, "caught up: live polling")
    }

    // MARK: - Backoff, factory, secrets

    func testTheBackoffDoublesFromOneSecondToAMinute() {
        let backoff = ReconnectBackoff()
        XCTAssertEqual((1...9).map { backoff.delay(afterFailures: $0) }, [1, 2, 4, 8, 16, 32, 60, 60, 60])
        XCTAssertEqual(backoff.delay(afterFailures: 5000), 60)
        let custom = ReconnectBackoff(initial: 0.5, factor: 3, cap: 10)
        XCTAssertEqual((1...4).map { custom.delay(afterFailures: $0) }, [0.5, 1.5, 4.5, 10])
    }

    func testTheFactoryBuildsFromTheEnvironmentWithTheDocumentedLatency() throws {
        let environment = ["DATABENTO_API_KEY": key, "POLYGON_API_KEY": key]
        let databento = try PollingBarStream.make(source: "databento", instrument: es, environment: environment)
        XCTAssertEqual(databento.source, "databento")
        XCTAssertEqual(databento.latency, 86_400)
        let polygon = try PollingBarStream.make(source: "Polygon", instrument: es, timeframe: .m5, environment: environment)
        XCTAssertEqual(polygon.source, "polygon")
        XCTAssertEqual(polygon.latency, 600)
        XCTAssertEqual(polygon.timeframe, .m5)
        XCTAssertEqual(try PollingBarStream.make(source: "databento", instrument: es, environment: environment,
                                                 latency: 30).latency, 30)
        XCTAssertEqual(PollingBarStream.defaultLatency(for: "file"), nil)

        func code(_ source: String, _ environment: [String: String], latency: TimeInterval? = nil) -> MarketDataError? {
            do {
                _ = try PollingBarStream.make(source: source, instrument: es, environment: environment, latency: latency)
                return nil
            } catch {
                return error
            }
        }
        XCTAssertEqual(code("polygon", [:])?.code, "NOT_CONFIGURED")
        XCTAssertEqual(code("polygon", [:])?.suggestedFix, "set POLYGON_API_KEY")
        XCTAssertEqual(code("file", environment)?.code, "INVALID_PROVIDER_SPEC")
        XCTAssertEqual(code("synthetic", environment)?.code, "INVALID_PROVIDER_SPEC")
        XCTAssertEqual(code("databento", environment, latency: -1)?.code, "INVALID_PROVIDER_SPEC")
        let badURL = code("databento", ["DATABENTO_API_KEY": key, "DATABENTO_BASE_URL": "ftp://example.com"])
        XCTAssertEqual(badURL?.code, "INVALID_PROVIDER_SPEC")

        for stream in [databento, polygon] {
            var printed = ""
            dump(stream, to: &printed)
            printed += String(describing: stream) + String(reflecting: stream)
            XCTAssertFalse(printed.contains(key), "the key shows when the stream is dumped: \(printed)")
            XCTAssertTrue(printed.contains("latency"), printed)
        }
    }

    func testARefusedKeyNeverAppearsInAnyErrorOrLog() throws {
        let clock = TestClock(date("2013-10-07T14:00:00Z"))
        for shape in [RecordedProvider.Shape.databento, .polygon] {
            let provider = RecordedProvider(shape, key: "someone-elses-key-123")  // so ours is refused
            let server = try start(provider)
            let logs = LogLines()
            let stream = try stream(shape, server, clock: clock, latency: 60, logs: logs)
            for _ in 0..<10 {
                clock.advance(30)
                XCTAssertNil(stream.next(timeout: 0))
            }
            XCTAssertEqual(Set(stream.reconnects.map(\.code)), ["PROVIDER_UNAUTHORIZED"], "\(shape)")
            let texts = stream.reconnects.map(\.message) + logs.all
            XCTAssertFalse(texts.isEmpty)
            for text in texts { XCTAssertFalse(text.contains(key), text) }
        }
    }
}
