import Foundation
import Market

/// One bar file loaded the way `FileBarSource` loads it, each phase timed: what
/// `scripts/bench backtest --e2e` reports (read the bytes, decode them into columns,
/// validate them into a window of a `BarSeries`).
public struct BarFileProfile: Sendable {
    public let bars: BarSeries
    public let readSeconds: Double
    public let decodeSeconds: Double
    public let validateSeconds: Double

    public static func load(path: String, request: BarRequest, options: BarFileOptions = BarFileOptions())
        throws(MarketDataError) -> BarFileProfile {
        var watch = Stopwatch()
        let data = try BarFileDecoder.read(path)
        let read = watch.lap()
        var columns = try BarFileDecoder.decode(file: data, at: path, options: options)
        let decode = watch.lap()
        let native = try columns.normalizeToTimeframe(default: request.timeframe, origin: path)
        let bars = try columns.series(native: native, for: request, origin: path)
        return BarFileProfile(bars: bars, readSeconds: read, decodeSeconds: decode, validateSeconds: watch.lap())
    }
}
