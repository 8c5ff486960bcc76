import Foundation
import Market
import MarketData

/// `synthetic`, the embedded default: bars of the null-model generator (no edge for any
/// strategy; labelled synthetic) delivered at the wall clock. Bar k of the stream is the
/// generator's k-th bar from `marketStart` on, delivered `barSeconds` after bar k−1
/// (a 1-minute bar every `barSeconds` s: 60 is real time, fewer for demos and tests),
/// with a heartbeat when a bar is not due yet. Market hours only: closed hours are skipped.
public final class SyntheticBarStream: BarStream {
    public let instrument: Instrument
    public let timeframe: Timeframe
    public let source = "synthetic"
    public let barSeconds: Double
    private let generator: SyntheticBarSource
    private var buffer: BarSeries?
    private var index = 0
    /// Start of the next day of bars to generate (UTC epoch seconds).
    private var nextChunk: Int64
    private let started: Date
    private var delivered = 0

    public init(instrument: Instrument, timeframe: Timeframe = .m1, barSeconds: Double = 60, seed: UInt64 = 1,
                marketStart: Int64, startingAt start: Date = Date()) {
        precondition(barSeconds > 0, "barSeconds must be positive")
        self.instrument = instrument
        self.timeframe = timeframe
        self.barSeconds = barSeconds
        generator = SyntheticBarSource(seed: seed)
        nextChunk = marketStart
        started = start
    }

    public func next(timeout: TimeInterval) -> StreamItem? {
        guard let bar = upcoming() else { return .heartbeat }
        let due = started.addingTimeInterval(Double(delivered + 1) * barSeconds)
        guard sleep(until: due, timeout: timeout) else { return .heartbeat }
        index += 1
        delivered += 1
        return .bar(bar)
    }

    /// The next generated bar, generating a day at a time (a closed day yields none,
    /// so up to a week is tried before giving up).
    private func upcoming() -> StreamBar? {
        for _ in 0..<8 {
            if let buffer, index < buffer.count { return StreamBar(buffer, index) }
            let from = nextChunk
            nextChunk += 86_400
            index = 0
            buffer = try? generator.fetchBars(BarRequest(
                instrument: instrument, timeframe: timeframe, from: Date(timeIntervalSince1970: Double(from)),
                to: Date(timeIntervalSince1970: Double(nextChunk)))).bars
        }
        return nil
    }
}
