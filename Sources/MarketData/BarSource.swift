import Foundation
import Market

/// Anything that delivers bars: the synthetic generator, bar files, Databento, Polygon,
/// or a chain of them. Synchronous because workers run on plain threads.
public protocol BarSource: Sendable {
    /// "synthetic", "file", "databento", "polygon" (a chain reports its members).
    var provider: String { get }
    func fetchBars(_ request: BarRequest) throws(MarketDataError) -> BarFetch
    /// Whether this source holds bars of `instrument` at all, decided without reading
    /// them: a file source when a file's path names the symbol. Sources that fetch or
    /// generate on demand (APIs, synthetic) answer true; so does a source that cannot
    /// tell (a missing path, a misconfigured provider), so asking it fails loudly.
    func covers(_ instrument: Instrument) -> Bool
    /// The span of the bars this source holds for `instrument`: from the first bar's
    /// start to the last bar's end, so every bar start lies in `from..<to` as in a
    /// `BarRequest`. Nil when bars come on demand for any window, or when unknown.
    func coverage(for instrument: Instrument) -> Range<Int64>?
}

public extension BarSource {
    func covers(_ instrument: Instrument) -> Bool { true }
    func coverage(for instrument: Instrument) -> Range<Int64>? { nil }
}

/// Bars of one instrument and timeframe whose bar START lies in `from..<to`.
public struct BarRequest: Sendable {
    public let instrument: Instrument
    public let timeframe: Timeframe
    public let from: Date
    /// Exclusive.
    public let to: Date
    public let traceId: UUID

    /// Every bar a source holds for the instrument (1970 up to 2100): what the
    /// benchmarks load a bar file with.
    public static func everything(_ instrument: Instrument, _ timeframe: Timeframe) -> BarRequest {
        BarRequest(instrument: instrument, timeframe: timeframe, from: Date(timeIntervalSince1970: 0),
                   to: Date(timeIntervalSince1970: 4_102_444_800))
    }

    public init(instrument: Instrument, timeframe: Timeframe, from: Date, to: Date, traceId: UUID = UUID()) {
        self.instrument = instrument
        self.timeframe = timeframe
        self.from = from
        self.to = to
        self.traceId = traceId
    }

    /// Window bounds in UTC epoch seconds; a fractional `from` rounds up so no bar
    /// starting before it slips in.
    var fromEpoch: Int64 { Int64(from.timeIntervalSince1970.rounded(.up)) }
    var toEpoch: Int64 { Int64(to.timeIntervalSince1970.rounded(.up)) }
}

/// Bars plus where they came from. `source` is the provider that actually delivered
/// them ("synthetic" data is always labelled as such); `usage` lists every call made.
public struct BarFetch: Sendable {
    public let bars: BarSeries
    public let source: String
    public let usage: [UsageRecord]

    public init(bars: BarSeries, source: String, usage: [UsageRecord]) {
        self.bars = bars
        self.source = source
        self.usage = usage
    }
}
