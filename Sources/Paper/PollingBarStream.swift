import Foundation
import Logging
import Market
import MarketData

/// `databento` / `polygon`: one instrument's closed bars as a provider's historical
/// endpoint publishes them, by polling a `BarSource`.
///
/// - Every `pollInterval` it asks for the bars starting at the next bar it has not
///   delivered, up to `now − latency` (floored to the minute): a bar is delivered only
///   once the provider's publication latency has passed after its end. A bar of the
///   answer that ends after the window (a bucket still filling) is dropped and asked
///   for again on a later poll.
/// - New bars come one per call, in order; never a bar at or before one delivered.
///   A poll the provider answers with nothing new (its `NO_DATA` included) is a heartbeat;
///   when no bar can have closed since the last one it asks for the last published
///   minute anyway, so every heartbeat is an answer from the provider.
/// - A provider error (any other `MarketDataError`) starts reconnecting: silence (nil)
///   while `backoff` runs, so `StreamMonitor` sees the outage go stale, then the same
///   question again. Because every poll starts at the last delivered bar, the first
///   successful poll after an outage backfills the whole missed span, in order, before
///   any newer bar. Minutes the provider never has (no trades) stay gaps for the monitor.
/// - A backlog longer than `maxSpan` (a long outage, a resume from far back) is fetched
///   a window at a time, back to back.
/// - All its timing — latency, poll interval, backoff — runs on the injected clock
///   `now`; `clockRate` (clock seconds per wall second) turns the clock's waits into
///   wall-clock sleeps, so a test can play a recorded day at an accelerated pace, or
///   drive a hand-moved clock with `next(timeout: 0)`. A provider call itself blocks
///   for as long as the call takes (bounded by its `HTTPPolicy`), whatever the timeout.
public final class PollingBarStream: BarStream, CustomReflectable {
    /// One failed poll and the wait it started.
    public struct Reconnect: Sendable, Equatable {
        /// Consecutive failures so far, this one included.
        public let attempt: Int
        /// Clock instant of the failed poll.
        public let failedAt: Date
        /// Clock seconds until the next poll.
        public let delay: TimeInterval
        public let code: String
        /// The provider error's message (it never holds a key; secrets masked again here).
        public let message: String
    }

    public let instrument: Instrument
    public let timeframe: Timeframe
    /// The provider's label ("databento", "polygon").
    public let source: String
    /// Clock seconds after a bar's end before it is asked for.
    public let latency: TimeInterval
    public let pollInterval: TimeInterval
    public let backoff: ReconnectBackoff
    /// The longest window one poll asks for, in seconds.
    public let maxSpan: Int64
    /// The most recent failed polls (at most `reconnectHistory`), oldest first.
    public private(set) var reconnects: [Reconnect] = []
    public static let reconnectHistory = 100
    /// Consecutive failed polls now; 0 while the provider answers.
    public private(set) var failures = 0
    /// Bars delivered from the first successful poll after each outage.
    public private(set) var backfilledBars = 0
    /// Provider calls made, failed ones included.
    public private(set) var polls = 0
    /// Start of the last bar delivered.
    public private(set) var lastDelivered: Int64?
    /// Every bar delivered from now on starts at or after this.
    public var nextBarStart: Int64 { nextStart }

    private let provider: any BarSource
    private let now: () -> Date
    private let clockRate: Double
    private let secrets: Secrets
    private let logger: Logger?
    private let traceId: UUID
    private var nextStart: Int64
    private var pending: [StreamBar] = []
    private var pendingIndex = 0
    private var nextPollAt = Date.distantPast
    private var retryAt: Date?
    private var outageStarted: Date?

    /// `startingAt`: the first bar start to deliver (a resumed run passes its last
    /// booked bar's start + the timeframe); nil starts with the first bar that closes
    /// after the stream is made. `secrets` are masked in every message the stream
    /// logs or keeps.
    public init(provider: any BarSource, instrument: Instrument, timeframe: Timeframe = .m1, latency: TimeInterval,
                pollInterval: TimeInterval = 10, backoff: ReconnectBackoff = ReconnectBackoff(),
                startingAt start: Int64? = nil, maxSpan: TimeInterval = 86_400,
                now: @escaping () -> Date = Date.init, clockRate: Double = 1,
                secrets: [String] = [], logger: Logger? = nil, traceId: UUID = UUID()) {
        precondition(latency >= 0 && pollInterval > 0 && clockRate > 0, "latency ≥ 0, pollInterval > 0, clockRate > 0")
        precondition(maxSpan >= Double(timeframe.seconds), "maxSpan must hold a bar")
        self.provider = provider
        self.instrument = instrument
        self.timeframe = timeframe
        self.source = provider.provider
        self.latency = latency
        self.pollInterval = pollInterval
        self.backoff = backoff
        self.maxSpan = Int64(maxSpan)
        self.now = now
        self.clockRate = clockRate
        self.secrets = Secrets(values: secrets.filter { $0.count >= 8 })
        self.logger = logger
        self.traceId = traceId
        let width = Int64(timeframe.seconds)
        nextStart = start ?? Self.floored(Self.cutoff(at: now(), latency: latency), to: width)
    }

    public func next(timeout: TimeInterval) -> StreamItem? {
        let deadline = Date().addingTimeInterval(max(0, timeout))
        while true {
            if let bar = takePending() { return .bar(bar) }
            let t = now()
            if t >= (retryAt ?? nextPollAt) {
                switch poll(at: t) {
                case .bars: continue
                case .nothingNew: return .heartbeat
                case .failed: break
                }
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return nil }
            let due = (retryAt ?? nextPollAt).timeIntervalSince(now()) / clockRate
            Thread.sleep(forTimeInterval: min(left, max(due, 0.001)))
        }
    }

    // MARK: - Polling

    private enum Outcome { case bars, nothingNew, failed }

    private func poll(at t: Date) -> Outcome {
        let width = Int64(timeframe.seconds)
        let cutoff = Self.cutoff(at: t, latency: latency)
        let end = min(cutoff, nextStart + maxSpan)
        // No bar can have closed since the last one: ask for the last published minute
        // all the same (it holds nothing new), so the answer still proves the provider
        // alive and the monitor gets its heartbeat.
        let from = end > nextStart ? nextStart : end - 60
        polls += 1
        let request = BarRequest(
            instrument: instrument, timeframe: timeframe, from: Date(timeIntervalSince1970: Double(from)),
            to: Date(timeIntervalSince1970: Double(end)), traceId: traceId)
        var fresh: [StreamBar] = []
        do throws(MarketDataError) {
            let bars = try provider.fetchBars(request).bars
            // Only whole bars of the window: one ending after `end` is still filling.
            for i in 0..<bars.count where bars.timestamps[i] >= nextStart && bars.timestamps[i] + width <= end {
                fresh.append(StreamBar(bars, i))
            }
        } catch {
            // NO_DATA is an answer (nothing in the window), not an outage.
            if error.code != MarketDataError.noData {
                fail(error, at: t)
                return .failed
            }
        }
        if failures > 0 { recovered(at: t, backfill: fresh.count) }
        if end < cutoff {
            // A backlog longer than maxSpan: the next window follows at once. An empty
            // window lies wholly before the cutoff, so the provider will never have bars
            // in it; move past it (a bucket starting at `end − width` would end at `end`).
            if fresh.isEmpty { nextStart = max(nextStart, end - width) }
            nextPollAt = t
        } else {
            nextPollAt = t.addingTimeInterval(pollInterval)
        }
        guard !fresh.isEmpty else { return .nothingNew }
        pending = fresh
        pendingIndex = 0
        return .bars
    }

    private func takePending() -> StreamBar? {
        guard pendingIndex < pending.count else { return nil }
        let bar = pending[pendingIndex]
        pendingIndex += 1
        if pendingIndex == pending.count {
            pending = []
            pendingIndex = 0
        }
        lastDelivered = bar.time
        nextStart = bar.time + Int64(timeframe.seconds)
        return bar
    }

    private func fail(_ error: MarketDataError, at t: Date) {
        failures += 1
        if outageStarted == nil { outageStarted = t }
        let delay = backoff.delay(afterFailures: failures)
        retryAt = t.addingTimeInterval(delay)
        let reconnect = Reconnect(attempt: failures, failedAt: t, delay: delay, code: error.code,
                                  message: scrub(error.message))
        reconnects.append(reconnect)
        if reconnects.count > Self.reconnectHistory { reconnects.removeFirst(reconnects.count - Self.reconnectHistory) }
        logger?.warning("STREAM_RECONNECTING", metadata: [
            "source": "\(source)", "instrument": "\(instrument.symbol)", "trace_id": "\(traceId)",
            "attempt": "\(failures)", "code": "\(error.code)", "retry_in_seconds": "\(delay)",
            "message": "\(reconnect.message)",
        ])
    }

    private func recovered(at t: Date, backfill: Int) {
        let outage = outageStarted.map { t.timeIntervalSince($0) } ?? 0
        logger?.notice("STREAM_RECONNECTED", metadata: [
            "source": "\(source)", "instrument": "\(instrument.symbol)", "trace_id": "\(traceId)",
            "failed_polls": "\(failures)", "outage_seconds": "\(Int(outage))", "backfilled_bars": "\(backfill)",
        ])
        backfilledBars += backfill
        failures = 0
        retryAt = nil
        outageStarted = nil
    }

    private func scrub(_ text: String) -> String {
        secrets.values.reduce(text) { $0.replacingOccurrences(of: $1, with: "•••") }
    }

    /// The values to mask, themselves masked when the stream is printed, dumped or reflected.
    private struct Secrets: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        let values: [String]
        var description: String { "•••" }
        var debugDescription: String { "Secrets(•••)" }
        var customMirror: Mirror { Mirror(self, children: []) }
    }

    /// What printing or dumping the stream shows: never its provider (whose client
    /// holds the Authorization header) nor the secrets.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "source": source, "instrument": instrument.symbol, "timeframe": timeframe.rawValue, "latency": latency,
            "nextBarStart": nextStart, "failures": failures,
        ], displayStyle: .class)
    }

    /// `t − latency`, floored to the whole minute (UTC epoch seconds).
    private static func cutoff(at t: Date, latency: TimeInterval) -> Int64 {
        floored(Int64((t.timeIntervalSince1970 - latency).rounded(.down)), to: 60)
    }

    private static func floored(_ value: Int64, to step: Int64) -> Int64 {
        value - ((value % step) + step) % step
    }
}
