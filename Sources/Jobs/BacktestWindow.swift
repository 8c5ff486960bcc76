import Foundation
import Market
import MarketData

/// The bars a backtest job covers: bar starts in `from..<to` (UTC epoch seconds),
/// always whole trading sessions unless the job's payload names exact instants.
public struct BacktestWindow: Sendable, Equatable {
    public let from: Int64
    public let to: Int64
    /// Trade dates for the result's provenance ("YYYY-MM-DD", `to` exclusive).
    public let firstTradeDate: String
    public let endTradeDate: String

    public init(from: Int64, to: Int64, firstTradeDate: String, endTradeDate: String) {
        self.from = from
        self.to = to
        self.firstTradeDate = firstTradeDate
        self.endTradeDate = endTradeDate
    }

    /// The last `tradingDays` sessions that closed before `now`, widened when that
    /// many sessions of this bar width could not hold `minimumBars` bars (20 days of
    /// 1h bars are only ~460) — a baseline on fewer than 1000 bars proves nothing.
    public static func recentSessions(session: TradingSession, timeframe: Timeframe, tradingDays: Int,
                                      minimumBars: Int, now: Date) -> BacktestWindow {
        let nowEpoch = Int64(now.timeIntervalSince1970)
        let today = session.localDay(of: nowEpoch)
        // Bars per session from a full day's length: the longest of the past week, since
        // any one of them may be an early close (a holiday shortens, never lengthens).
        let sample = session.sessions(fromDay: today - 7, throughDay: today)
        let sessionSeconds = sample.map { $0.close - $0.open }.max() ?? 86_400
        let barsPerSession = max(1, Int(sessionSeconds) / timeframe.seconds)
        let days = max(1, tradingDays, (minimumBars + barsPerSession - 1) / barsPerSession)
        // Five sessions a week, plus slack for the week in progress and for exchange
        // holidays (CME closes at most three weekdays a year: one per 20 sessions is ample).
        let lookback = days * 7 / 5 + days / 20 + 10
        let closed = session.sessions(fromDay: today - lookback, throughDay: today).filter { $0.close <= nowEpoch }
        let chosen = closed.suffix(days)
        guard let first = chosen.first, let last = chosen.last else {
            preconditionFailure("a \(lookback)-day lookback always holds \(days) weekday sessions")
        }
        return BacktestWindow(
            from: first.open, to: last.close, firstTradeDate: first.tradeDateString,
            endTradeDate: CivilDate(daysSinceEpoch: Int(last.tradeDate) + 1).description)
    }

    /// Where a "recent sessions" window ends (its `now`): `now`, or the end of the
    /// source's bars for the instrument when those end earlier — a file of past bars —
    /// so a baseline judges the last sessions that have bars rather than an empty
    /// stretch before today. Sources without a known end (APIs, synthetic) keep `now`.
    public static func end(of source: any BarSource, for instrument: Instrument, now: Date) -> Date {
        guard let coverage = source.coverage(for: instrument) else { return now }
        return min(now, Date(timeIntervalSince1970: Double(coverage.upperBound)))
    }

    /// The window a job's payload asks for, or nil when it names none. `from`/`to`
    /// are trade dates ("YYYY-MM-DD", `to` exclusive, aligned to session opens) or
    /// ISO 8601 instants.
    public static func requested(payload: String, session: TradingSession) throws(JobFailure) -> BacktestWindow? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any] else {
            throw invalid("the job payload is not a JSON object")
        }
        let fromText = object["from"] as? String, toText = object["to"] as? String
        if fromText == nil, toText == nil, object["from"] == nil, object["to"] == nil { return nil }
        guard let fromText, let toText else {
            throw invalid("payload window needs both \"from\" and \"to\" as strings")
        }
        if let fromDate = CivilDate(fromText), let toDate = CivilDate(toText) {
            let from = firstOpen(session, onOrAfter: fromDate), to = firstOpen(session, onOrAfter: toDate)
            guard from < to else { throw invalid("payload window from \(fromText) is not before \(toText)") }
            return BacktestWindow(from: from, to: to, firstTradeDate: fromDate.description, endTradeDate: toDate.description)
        }
        guard let from = instant(fromText), let to = instant(toText) else {
            throw invalid("payload window bounds must be YYYY-MM-DD dates or ISO 8601 instants, got \(fromText) … \(toText)")
        }
        guard from < to else { throw invalid("payload window from \(fromText) is not before \(toText)") }
        return BacktestWindow(from: from, to: to, firstTradeDate: String(isoUTC(from).prefix(10)),
                              endTradeDate: String(isoUTC(to).prefix(10)))
    }

    private static func firstOpen(_ session: TradingSession, onOrAfter date: CivilDate) -> Int64 {
        let day = date.daysSinceEpoch
        return session.sessions(fromDay: day, throughDay: day + 7).first?.open ?? Int64(day) * 86_400
    }

    private static func instant(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970.rounded(.up)) }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970.rounded(.up)) }
    }

    private static func invalid(_ message: String) -> JobFailure {
        JobFailure(code: "INVALID_WINDOW", message: message,
                   suggestedFix: "enqueue with payload {\"from\":\"YYYY-MM-DD\",\"to\":\"YYYY-MM-DD\"} or no window at all",
                   retryable: false)
    }
}
