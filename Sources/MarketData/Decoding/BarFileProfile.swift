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
        var clock = DispatchTime.now().uptimeNanoseconds
        func lap() -> Double {
            let now = DispatchTime.now().uptimeNanoseconds
            defer { clock = now }
            return Double(now - clock) / 1e9
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MarketDataError(code: MarketDataError.fileNotFound, message: "cannot read bar file \(path)",
                                  suggestedFix: "check the path and its permissions")
        }
        let read = lap()
        var columns = try BarFileDecoder.decode(data, name: (path as NSString).lastPathComponent, options: options)
        let decode = lap()
        let native = try columns.normalizeToTimeframe(default: request.timeframe, origin: path)
        let bars = try columns.series(native: native, for: request, origin: path)
        return BarFileProfile(bars: bars, readSeconds: read, decodeSeconds: decode, validateSeconds: lap())
    }
}
