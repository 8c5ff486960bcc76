import Foundation
import Market
import MarketData

/// The bars a baseline researches, fetched once: the last `tradingDays` sessions
/// before now — or, when the source's bars end in the past (a file), the last
/// `tradingDays` sessions that hold its bars, however far apart they lie, so a
/// file with gaps is judged on the sessions it has rather than on an empty stretch
/// before its end. Used by the backtest and improve executors alike.
struct BaselineBars {
    let fetch: BarFetch
    let window: BacktestWindow

    static func fetch(from source: any BarSource, instrument: Instrument, timeframe: Timeframe, tradingDays: Int,
                      minimumBars: Int, now: Date, traceId: UUID) throws(MarketDataError) -> BaselineBars {
        let end = BacktestWindow.end(of: source, for: instrument, now: now)
        guard end < now, let coverage = source.coverage(for: instrument) else {
            let window = BacktestWindow.recentSessions(
                session: instrument.session, timeframe: timeframe, tradingDays: tradingDays,
                minimumBars: minimumBars, now: now)
            return BaselineBars(fetch: try source.fetchBars(request(instrument, timeframe, window.from, window.to, traceId)),
                                window: window)
        }
        let all = try source.fetchBars(request(instrument, timeframe, coverage.lowerBound, coverage.upperBound, traceId))
        let map = SessionMap(bars: all.bars, session: instrument.session)
        guard let last = map.days.indices.last else {
            return BaselineBars(fetch: all, window: BacktestWindow(
                from: coverage.lowerBound, to: coverage.upperBound, firstTradeDate: String(isoUTC(coverage.lowerBound).prefix(10)),
                endTradeDate: String(isoUTC(coverage.upperBound).prefix(10))))
        }
        // The last sessions with bars, widened (as recentSessions widens) until they hold minimumBars.
        var first = max(0, last - max(1, tradingDays) + 1)
        while first > 0, map.endBar[last] - map.firstBar[first] < minimumBars { first -= 1 }
        // From the first session's open to its last one's close, but never past the bars' end.
        let from = min(map.days[first].open, all.bars.timestamps[map.firstBar[first]])
        let to = min(map.days[last].close, coverage.upperBound)
        let window = BacktestWindow(
            from: from, to: to, firstTradeDate: map.days[first].tradeDateString,
            endTradeDate: CivilDate(daysSinceEpoch: Int(map.days[last].tradeDate) + 1).description)
        return BaselineBars(fetch: BarFetch(bars: all.bars.window(from: from, to: to), source: all.source, usage: all.usage),
                            window: window)
    }

    private static func request(_ instrument: Instrument, _ timeframe: Timeframe, _ from: Int64, _ to: Int64,
                                _ traceId: UUID) -> BarRequest {
        BarRequest(instrument: instrument, timeframe: timeframe, from: Date(timeIntervalSince1970: Double(from)),
                   to: Date(timeIntervalSince1970: Double(to)), traceId: traceId)
    }
}
