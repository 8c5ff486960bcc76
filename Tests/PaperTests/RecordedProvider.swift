import Foundation
import Logging
import Market
import MarketData
import Paper
import TestSupport

/// The real recorded ES minutes of `../shared/data` served by a `StandInServer` in a
/// provider's documented shape — Databento `timeseries.get_range` CSV (fixed-point
/// prices, ns `ts_event`) or Polygon futures aggregates JSON (ns `window_start`) —
/// for exactly the window asked, checked against the key. `failing` makes it answer an
/// error status (whose body echoes the key, so a leak would show); `askedTooEarly`
/// lists windows that reached past `clock − latency` when they were asked.
final class RecordedProvider: @unchecked Sendable {
    enum Shape { case databento, polygon }

    let bars: BarSeries
    let key: String
    private let shape: Shape
    private let clock: TestClock?
    private let latency: TimeInterval
    private let lock = NSLock()
    private var failure: Int?
    private var early: [String] = []

    /// ES one-minute bars, 2013-10-06 … 2013-10-08 (the recorded file).
    static let esMinutes: BarSeries = {
        let file = FileBarSource(path: SharedData.path("es-1m/ES_front_month_1m_utc.csv"))
        return try! file.fetchBars(BarRequest(
            instrument: Instruments.spec("ES")!, timeframe: .m1, from: date("2013-10-06T00:00:00Z"),
            to: date("2013-10-09T00:00:00Z"))).bars
    }()

    init(_ shape: Shape, key: String, clock: TestClock? = nil, latency: TimeInterval = 0) {
        self.shape = shape
        self.key = key
        self.clock = clock
        self.latency = latency
        bars = Self.esMinutes
    }

    /// An HTTP status to answer every request with; nil serves bars.
    var failing: Int? {
        get { lock.withLock { failure } }
        set { lock.withLock { failure = newValue } }
    }

    var askedTooEarly: [String] { lock.withLock { early } }

    /// The recorded bars whose start lies in `from..<to`.
    func recorded(from: Int64, to: Int64) -> [StreamBar] {
        (0..<bars.count).filter { bars.timestamps[$0] >= from && bars.timestamps[$0] < to }.map { StreamBar(bars, $0) }
    }

    func serve(_ request: StandInServer.Request, _ index: Int) -> StandInServer.Response {
        if let status = failing {
            return .json(status, #"{"detail":"upstream unavailable for key \#(key)","error":"upstream unavailable for key \#(key)"}"#)
        }
        switch shape {
        case .databento: return databento(request)
        case .polygon: return polygon(request)
        }
    }

    private func checkWindow(end: Int64) {
        guard let clock else { return }
        let cutoff = clock.now.timeIntervalSince1970 - latency
        if Double(end) > cutoff { lock.withLock { early.append("\(isoUTC(end)) asked at \(clock.now)") } }
    }

    private func databento(_ request: StandInServer.Request) -> StandInServer.Response {
        guard request.headers["authorization"] == "Basic " + Data("\(key):".utf8).base64EncodedString() else {
            // Echo the credential presented, as a careless server might: it must not leak.
            let presented = request.headers["authorization"].flatMap { Data(base64Encoded: String($0.dropFirst(6))) }
                .map { String(decoding: $0, as: UTF8.self) } ?? ""
            return .json(401, #"{"detail":"Authentication failed for \#(presented)"}"#)
        }
        guard request.path == "/v0/timeseries.get_range", let start = request.form["start"], let end = request.form["end"]
        else { return .json(422, #"{"detail":"unexpected request"}"#) }
        let from = epoch(start), to = epoch(end)
        checkWindow(end: to)
        var csv = "ts_event,rtype,publisher_id,instrument_id,open,high,low,close,volume\n"
        func fixed(_ price: Double) -> Int64 { Int64((price * 1e9).rounded()) }
        for bar in recorded(from: from, to: to) {
            csv += "\(bar.time * 1_000_000_000),33,1,5482,\(fixed(bar.open)),\(fixed(bar.high)),\(fixed(bar.low)),"
                + "\(fixed(bar.close)),\(Int64(bar.volume))\n"
        }
        return .text(200, Data(csv.utf8))
    }

    private func polygon(_ request: StandInServer.Request) -> StandInServer.Response {
        guard request.headers["authorization"] == "Bearer \(key)" else {
            let presented = request.headers["authorization"] ?? ""
            return .json(401, #"{"status":"ERROR","request_id":"r0","error":"Unknown API Key: \#(presented)"}"#)
        }
        guard request.path.hasPrefix("/futures/v1/aggs/ES"), let gte = request.query["window_start.gte"].flatMap(Int64.init),
              let lt = request.query["window_start.lt"].flatMap(Int64.init)
        else { return .json(400, #"{"status":"ERROR","request_id":"r1","error":"unexpected request"}"#) }
        let to = lt / 1_000_000_000
        checkWindow(end: to)
        let ticker = String(request.path.dropFirst("/futures/v1/aggs/".count))
        let results = recorded(from: gte / 1_000_000_000, to: to).map { bar in
            #"{"ticker":"\#(ticker)","open":\#(bar.open),"high":\#(bar.high),"low":\#(bar.low),"close":\#(bar.close),"#
                + #""volume":\#(Int64(bar.volume)),"window_start":\#(bar.time * 1_000_000_000)}"#
        }
        return .json(200, #"{"status":"OK","request_id":"r2","results":[\#(results.joined(separator: ","))]}"#)
    }
}

/// A clock the test moves by hand (the stream reads it through its `now` closure).
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) { current = start }

    var now: Date { lock.withLock { current } }

    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

/// Keeps every log line (message and metadata) so a test can read what was logged.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var all: [String] { lock.withLock { lines } }

    func append(_ line: String) { lock.withLock { lines.append(line) } }

    var logger: Logger {
        Logger(label: "polling-test") { _ in Handler(sink: self) }
    }

    private struct Handler: LogHandler {
        let sink: LogLines
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            sink.append(([event.level.rawValue, event.message.description] + fields).joined(separator: " "))
        }
    }
}
