import Foundation
import Market

/// `replay:PATH[@SPEED]`: recorded bars played at `speed` × real time — a bar is
/// delivered when its end has come on the replay clock, which starts at the first
/// bar's start when the stream is made — so tests and demos are reproducible. The
/// gap between two sessions plays at the same speed (a weekend at @60 lasts 48 min);
/// `skipClosedHours` delivers the next session's first bar at once instead.
public final class ReplayBarStream: BarStream {
    public let instrument: Instrument
    public let timeframe: Timeframe
    public let source: String
    public let speed: Double
    private let bars: BarSeries
    private let skipClosedHours: Bool
    private var index = 0
    /// Wall-clock instant of the replay clock's zero, and the market time it maps to.
    private var wallStart: Date
    private var marketStart: Int64

    public init(bars: BarSeries, instrument: Instrument, source: String = "file", speed: Double = 1,
                skipClosedHours: Bool = true, startingAt start: Date = Date()) {
        precondition(speed > 0, "speed must be positive")
        self.bars = bars
        self.instrument = instrument
        self.timeframe = bars.timeframe
        self.source = source
        self.speed = speed
        self.skipClosedHours = skipClosedHours
        wallStart = start
        marketStart = bars.timestamps.first ?? 0
    }

    public func next(timeout: TimeInterval) -> StreamItem? {
        guard index < bars.count else { return .end }
        let width = Int64(timeframe.seconds)
        if skipClosedHours, index > 0, bars.timestamps[index] - bars.timestamps[index - 1] > width {
            // Restart the clock at this bar's start: closed hours take no time.
            wallStart = due(of: bars.timestamps[index - 1] + width)
            marketStart = bars.timestamps[index]
        }
        guard sleep(until: due(of: bars.timestamps[index] + width), timeout: timeout) else { return nil }
        defer { index += 1 }
        return .bar(StreamBar(bars, index))
    }

    /// When the market instant `time` comes on the replay clock.
    private func due(of time: Int64) -> Date {
        wallStart.addingTimeInterval(Double(time - marketStart) / speed)
    }
}
