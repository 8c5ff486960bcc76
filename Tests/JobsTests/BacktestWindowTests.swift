import Foundation
import Jobs
import Market
import XCTest

/// `BacktestWindow.recentSessions` across CME holidays (no database needed).
final class BacktestWindowTests: XCTestCase {
    private let es = TradingSession.cmeEquityIndex

    private func days(_ window: BacktestWindow) -> [SessionDay] {
        es.sessions(fromDay: CivilDate(window.firstTradeDate)!.daysSinceEpoch,
                    throughDay: CivilDate(window.endTradeDate)!.daysSinceEpoch - 1)
    }

    /// Sunday evening after Thanksgiving week: the last session of the past week is the
    /// 12:15 CT early close. Bars per session must come from a full 23-hour day: 1000
    /// hourly bars need 44 sessions (⌈1000 / 23⌉), not 53 (⌈1000 / 19⌉).
    func testAnEarlyCloseDoesNotShortenTheBarEstimate() {
        let now = Date(timeIntervalSince1970: 1_385_942_400)  // 2013-12-02T00:00:00Z, Sunday 18:00 CST
        let window = BacktestWindow.recentSessions(session: es, timeframe: .h1, tradingDays: 20,
                                                   minimumBars: 1000, now: now)
        XCTAssertEqual(window.endTradeDate, "2013-11-30")
        XCTAssertEqual(days(window).count, 44)
        XCTAssertEqual(window.to, days(window).last?.close)
    }

    /// A long window over years that hold CME closures still finds its sessions.
    func testAThousandSessionsAcrossHolidays() {
        let now = Date(timeIntervalSince1970: 1_577_836_800)  // 2020-01-01T00:00:00Z
        let window = BacktestWindow.recentSessions(session: es, timeframe: .m1, tradingDays: 1000,
                                                   minimumBars: 1000, now: now)
        let sessions = days(window)
        XCTAssertEqual(sessions.count, 1000)
        XCTAssertEqual(window.from, sessions.first?.open)
        XCTAssertEqual(window.endTradeDate, "2020-01-01")  // the last closed session is 2019-12-31
    }
}
