import Foundation
import Market

/// What a market's 1-minute returns look like, for calibrating the synthetic generator
/// against real bars (`gauntlet calibrate`). Computed from `MinuteReturns` (which says
/// which returns count: within sessions, one bar apart, no post-close tail). Every
/// figure is nil where the sample cannot define it (too few returns, sessions or gaps;
/// no variation), never NaN.
public struct ReturnStatistics: Sendable, Equatable, Codable {
    /// Standard deviation of 1-minute log returns × √(252 × bars per session), where bars
    /// per session is the template's full session (`close − open`: 1,380 minutes for CME
    /// Globex, 390 for US stocks). It is the volatility of the diffusion inside sessions
    /// as if every minute of the year were like the sampled ones: it leaves out the
    /// session-open gap and weekends, and includes whatever microstructure noise the
    /// minutes carry (bid–ask bounce raises it above daily-close volatility).
    public var annualizedVolatility: Double?
    /// SD of the returns of one part of the session / SD of all returns (1 = as busy as
    /// the session on average). Parts: `SessionPart` (first and last 30 minutes of
    /// regular hours, regular open + 2 h … + 4 h, overnight).
    public var openVolatilityRatio: Double?
    public var middayVolatilityRatio: Double?
    public var closeVolatilityRatio: Double?
    public var overnightVolatilityRatio: Double?
    /// m4 / m2² − 3 of all returns (0 for a normal distribution).
    public var excessKurtosis: Double?
    /// Lag-1 autocorrelation of returns and of |returns|, over pairs of adjacent minutes
    /// of one session (`SampleMoments.lag1Autocorrelation`).
    public var autocorrelation: Double?
    public var absoluteAutocorrelation: Double?
    /// Mean volume of a regular-hours bar / mean volume of an overnight bar (per bar
    /// present: a minute without trades has no bar and is not counted as zero).
    public var regularToOvernightVolume: Double?
    /// Mean of |log(first open / previous session's last close)| in basis points, over
    /// sessions that cover their open whose calendar predecessor covers its close.
    public var meanAbsoluteGapBps: Double?
    /// Sample SD (n − 1) of log(last close / first open) × 100 over sessions that cover
    /// both their open and close — "%" as log returns, which at these sizes is the same.
    public var sessionReturnSDPercent: Double?

    /// Sample sizes behind the figures.
    public var returns: Int
    public var sessions: Int
    public var wholeSessions: Int
    public var gaps: Int
    /// Pairs of consecutive bars more than one bar apart (returns not taken).
    public var skippedReturns: Int

    public init(bars: BarSeries, session: TradingSession, excluding excluded: [Range<Int64>] = []) {
        self.init(MinuteReturns(bars: bars, session: session, excluding: excluded), session: session)
    }

    public init(_ sample: MinuteReturns, session: TradingSession) {
        let values = sample.returns.map(\.value)
        let continues = sample.returns.map(\.continuesPrevious)
        let sd = SampleMoments.populationSD(values)
        let sessionSeconds = (session.closeMinute - session.openMinute + (session.opensPreviousDay ? 1440 : 0)) * 60
        let barsPerSession = Double(sessionSeconds) / Double(sample.barSeconds)
        annualizedVolatility = sd.map { $0 * (252 * barsPerSession).squareRoot() }

        func ratio(_ part: SessionPart) -> Double? {
            let partValues = sample.returns.filter { $0.part == part }.map(\.value)
            guard let sd, sd > 0, let partSD = SampleMoments.populationSD(partValues) else { return nil }
            return partSD / sd
        }
        openVolatilityRatio = ratio(.open)
        middayVolatilityRatio = ratio(.midday)
        closeVolatilityRatio = ratio(.close)
        overnightVolatilityRatio = ratio(.overnight)

        excessKurtosis = SampleMoments.excessKurtosis(values)
        autocorrelation = SampleMoments.lag1Autocorrelation(values, continues: continues)
        absoluteAutocorrelation = SampleMoments.lag1Autocorrelation(values.map(abs), continues: continues)

        if sample.regularBars > 0, sample.overnightBars > 0, sample.overnightVolume > 0 {
            regularToOvernightVolume = (sample.regularVolume / Double(sample.regularBars))
                / (sample.overnightVolume / Double(sample.overnightBars))
        }

        // Gaps pair a session with its predecessor in the exchange calendar, so a
        // missing day in the data never passes for an overnight gap.
        var gaps: [Double] = []
        for (previous, current) in zip(sample.sessions, sample.sessions.dropFirst())
        where previous.coversClose && current.coversOpen {
            let day = Int(current.day.tradeDate)
            guard session.sessions(fromDay: day - 10, throughDay: day - 1).last?.tradeDate == previous.day.tradeDate
            else { continue }
            gaps.append(abs(log(current.firstOpen / previous.lastClose)) * 10_000)
        }
        meanAbsoluteGapBps = SampleMoments.mean(gaps)
        let whole = sample.sessions.filter { $0.coversOpen && $0.coversClose }
        sessionReturnSDPercent = SampleMoments.sampleSD(whole.map { log($0.lastClose / $0.firstOpen) * 100 })

        returns = values.count
        sessions = sample.sessions.count
        wholeSessions = whole.count
        self.gaps = gaps.count
        skippedReturns = sample.skipped
    }

    enum CodingKeys: String, CodingKey {
        case annualizedVolatility = "annualized_volatility"
        case openVolatilityRatio = "open_volatility_ratio", middayVolatilityRatio = "midday_volatility_ratio"
        case closeVolatilityRatio = "close_volatility_ratio", overnightVolatilityRatio = "overnight_volatility_ratio"
        case excessKurtosis = "excess_kurtosis", autocorrelation = "autocorrelation"
        case absoluteAutocorrelation = "absolute_autocorrelation"
        case regularToOvernightVolume = "regular_to_overnight_volume"
        case meanAbsoluteGapBps = "mean_absolute_gap_bps", sessionReturnSDPercent = "session_return_sd_pct"
        case returns, sessions, wholeSessions = "whole_sessions", gaps, skippedReturns = "skipped_returns"
    }
}
