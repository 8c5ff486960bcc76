import Foundation
import Market

/// One closed bar of a stream (UTC epoch seconds of its start, like `BarSeries`).
public struct StreamBar: Sendable, Equatable {
    public let time: Int64
    public let open, high, low, close, volume: Double

    public init(time: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double) {
        self.time = time
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }

    /// Row `i` of `series`.
    public init(_ series: BarSeries, _ i: Int) {
        self.init(time: series.timestamps[i], open: series.open[i], high: series.high[i], low: series.low[i],
                  close: series.close[i], volume: series.volume[i])
    }
}

/// What a stream delivers: a closed bar as it happens, a heartbeat (the source is alive
/// but has no bar yet), or its end (a replay that ran out).
public enum StreamItem: Sendable, Equatable {
    case bar(StreamBar)
    case heartbeat
    case end
}

/// Closed bars of one instrument and timeframe as they happen. `next(timeout:)` blocks
/// until the next item, or returns nil when `timeout` passes first (the caller's stale
/// clock runs on that). One consumer per stream.
public protocol BarStream: AnyObject {
    var instrument: Instrument { get }
    var timeframe: Timeframe { get }
    /// The data source every bar is labelled with ("synthetic", "file", …).
    var source: String { get }
    func next(timeout: TimeInterval) -> StreamItem?
}

/// Sleeps until a wall-clock instant or the timeout, whichever comes first; true when
/// the instant was reached.
func sleep(until instant: Date, timeout: TimeInterval) -> Bool {
    let wait = instant.timeIntervalSinceNow
    if wait <= 0 { return true }
    Thread.sleep(forTimeInterval: min(wait, timeout))
    return wait <= timeout
}
