import Foundation
import Market

/// The embedded default: realistic, deterministic bars for any instrument and date,
/// always labelled "synthetic" (never real evidence). Bars for a date depend only on
/// (instrument's market, date, seed): one-minute bars are drawn per session
/// (`SessionPathGenerator`) between the open and close of a seeded daily walk
/// (`DailyWalk`), then resampled like real data. The bars are a null model: a
/// driftless walk with clustering volatility and fat tails, in which no strategy has an
/// edge before costs (docs/market-data.md, `gauntlet nullmodel`). Sessions follow the instrument's exchange calendar
/// (`TradingSession.holidayCalendar`): no bars on a closed date, none after an early
/// close; days outside the calendar's years, and equities, have no holidays.
public struct SyntheticBarSource: BarSource {
    public let provider = "synthetic"
    public let seed: UInt64

    public init(seed: UInt64 = 1) {
        self.seed = seed
    }

    public func fetchBars(_ request: BarRequest) throws(MarketDataError) -> BarFetch {
        let call = ProviderCall(provider: provider, endpoint: "generate", traceId: request.traceId)
        let minutes = minuteBars(request)
        let bars: BarSeries
        do throws(MarketDataError) {
            bars = try minutes.series(native: .m1, for: request, origin: "synthetic \(request.instrument.symbol)")
        } catch {
            throw call.failing(error)
        }
        guard !bars.isEmpty else {
            throw call.failing(MarketDataError(
                code: MarketDataError.noData,
                message: "no \(request.instrument.symbol) session between \(isoUTC(request.fromEpoch)) and "
                    + "\(isoUTC(request.toEpoch)) (weekends and the daily break have no bars)",
                suggestedFix: "choose a window that includes a weekday session"))
        }
        return BarFetch(bars: bars, source: provider, usage: [call.succeeded(bars: bars.count)])
    }

    /// One-minute bars of every session overlapping the request, in the window.
    func minuteBars(_ request: BarRequest) -> BarColumns {
        let from = request.fromEpoch, to = request.toEpoch
        guard from < to else { return BarColumns() }
        let instrument = request.instrument
        let session = instrument.session
        let profile = MarketProfile.of(instrument)
        let marketSeed = SplitMix64.mix(SplitMix64.hash(profile.market) ^ SplitMix64.mix(seed))
        // A session opens at most a day before its trade date, so pad by a day each side.
        let days = session.sessions(fromDay: session.localDay(of: from), throughDay: session.localDay(of: to - 1) + 1)
            .filter { $0.close > from && $0.open < to }
        guard let first = days.first, let last = days.last else { return BarColumns() }

        let firstDate = Int(first.tradeDate)
        let walk = DailyWalk(profile: profile, marketSeed: marketSeed)
        let walkDays = walk.days(firstDay: firstDate, lastDay: Int(last.tradeDate))
        let generator = SessionPathGenerator(instrument: instrument, profile: profile, longRunVariance: walk.longRunVariance)
        var bars = BarColumns(capacity: Int(min(to - from, Int64(days.count) * 86_400) / 60))
        var scratch = SessionPathGenerator.Scratch()
        for day in days {
            generator.appendBars(of: day, walk: walkDays[Int(day.tradeDate) - firstDate],
                                 from: from, to: to, into: &bars, scratch: &scratch)
        }
        return bars
    }
}
