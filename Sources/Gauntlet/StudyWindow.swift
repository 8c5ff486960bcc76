import ArgumentParser
import Foundation
import Jobs
import Market

/// The windows of the studies on synthetic bars (`gauntlet calibrate`, `gauntlet
/// nullmodel`): the last `count` whole sessions whose trade date is on or before a fixed
/// date, chosen like a baseline's (`BacktestWindow.recentSessions`), so a run is
/// reproducible whatever today is.
enum StudyWindow {
    static func sessions(_ count: Int, endingOn date: CivilDate, session: TradingSession) -> BacktestWindow {
        // Every US session of trade date D closes before 00:00 UTC of D + 1.
        let now = Date(timeIntervalSince1970: Double(date.daysSinceEpoch + 1) * 86_400)
        return BacktestWindow.recentSessions(session: session, timeframe: .m1, tradingDays: count, minimumBars: 0, now: now)
    }

    static func date(_ text: String, _ flag: String) throws -> CivilDate {
        guard let date = CivilDate(text) else { throw ValidationError("\(flag) must be a date as YYYY-MM-DD") }
        return date
    }
}
