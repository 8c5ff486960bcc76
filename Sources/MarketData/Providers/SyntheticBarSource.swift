import Foundation
import Market

/// The embedded default: realistic, deterministic bars for any instrument and date,
/// always labelled "synthetic" (never real evidence). Bars for a date depend only on
/// (instrument's market, date, seed): one-minute bars are drawn per session
/// (`SessionPathGenerator`) between closes of a seeded daily walk (`DailyWalk`), then
/// resampled like real data. Sessions follow the instrument's exchange calendar
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

        let firstDate = Int(first.tradeDate), lastDate = Int(last.tradeDate)
        let walk = DailyWalk(profile: profile, marketSeed: marketSeed).logCloses(firstDay: firstDate, lastDay: lastDate)
        let generator = SessionPathGenerator(instrument: instrument, profile: profile)
        var bars = BarColumns(capacity: Int(min(to - from, Int64(days.count) * 86_400) / 60))
        var activity: [Double] = []
        for day in days {
            let date = Int(day.tradeDate)
            let previous = walk[date - 1 - (firstDate - 1)]
            let close = walk[date - (firstDate - 1)]
            generator.appendBars(
                of: day, plan: DayPlan(day: date, marketSeed: marketSeed, profile: profile),
                previousLogClose: previous, logClose: close, from: from, to: to, into: &bars, activity: &activity)
        }
        return bars
    }
}
