import Foundation
import Market
import XCTest
@testable import Backtest

final class MetricsTests: XCTestCase {
    private func metrics(_ pnl: [Double], daily: [Double]? = nil, hold: Int = 1) -> Metrics {
        Metrics(MetricInputs(
            tradePnL: pnl, tradeCommission: pnl.map { _ in 1 }, tradeSlippage: pnl.map { _ in 0 },
            tradeHoldBars: pnl.map { _ in hold }, dailyPnL: daily ?? pnl, startingEquity: 10_000,
            barsTested: 100, barMinutes: 5))
    }

    func testNoTradesGivesAllZeroMetrics() {
        let m = Metrics(MetricInputs(tradePnL: [], tradeCommission: [], tradeSlippage: [], tradeHoldBars: [],
                                     dailyPnL: [0, 0, 0], startingEquity: 10_000, barsTested: 100, barMinutes: 1))
        XCTAssertEqual(m, Metrics())
    }

    func testNoLossesGivesProfitFactorTen() {
        let m = metrics([100, 50, 25])
        XCTAssertEqual(m.profitFactor, 10)
        XCTAssertEqual(m.winLossRatio, 10)
        XCTAssertEqual(m.winRate, 1)
        XCTAssertEqual(m.maxDrawdown, 0)
        XCTAssertEqual(m.pnlToDrawdown, 10)
    }

    /// With no losing trade, loss sums and averages are zero; JSON must say 0, not -0
    /// (a negated empty sum is -0.0, which JSONEncoder prints as "-0").
    func testOnlyWinningTradesEncodeNoNegativeZero() throws {
        let m = metrics([100, 50, 25])
        let json = try CanonicalJSON.string(m)
        let negativeZero = try NSRegularExpression(pattern: #":-0(\.0+)?(e[+-]?\d+)?[,}]"#)
        let found = negativeZero.matches(in: json, range: NSRange(json.startIndex..., in: json))
            .map { String(json[Range($0.range, in: json)!]) }
        XCTAssertEqual(found, [], "metrics JSON has negative zeros: \(json)")
        for (name, value) in [("gross_loss", m.grossLoss), ("avg_loss", m.averageLoss), ("largest_loss", m.largestLoss)] {
            XCTAssertEqual(value, 0, name)
            XCTAssertEqual(value.sign, .plus, "\(name) is -0")
        }
    }

    func testNoProfitGivesProfitFactorZero() {
        XCTAssertEqual(metrics([-10, -20]).profitFactor, 0)
    }

    func testSingleDayGivesSharpeZero() {
        let m = metrics([100, -40], daily: [60])
        XCTAssertEqual(m.sharpe, 0)
        XCTAssertEqual(m.sortino, 0)
    }

    func testHandComputedStatistics() {
        // Trades +300, -100, +200, -100; days [+200, +100, 0, -100] (on $10,000).
        let m = metrics([300, -100, 200, -100], daily: [200, 100, 0, -100])
        XCTAssertEqual(m.netProfit, 300)
        XCTAssertEqual(m.grossProfit, 500)
        XCTAssertEqual(m.grossLoss, 200)
        XCTAssertEqual(m.profitFactor, 2.5)
        XCTAssertEqual(m.winRate, 0.5)
        XCTAssertEqual(m.expectancy, 75)
        XCTAssertEqual(m.averageWin, 250)
        XCTAssertEqual(m.averageLoss, -100)
        XCTAssertEqual(m.winLossRatio, 2.5)
        XCTAssertEqual(m.medianTrade, 50)  // (-100 + 200) / 2
        XCTAssertEqual(m.maxDrawdown, 100)  // 10,300 → 10,200 and 10,400 → 10,300
        XCTAssertEqual(m.maxDrawdownPercent, 1)
        XCTAssertEqual(m.pnlToDrawdown, 3)
        XCTAssertEqual(m.returnPercent, 3)
        // SQN: sd of (300, -100, 200, -100) = √(((225)²+(175)²+(125)²+(175)²)/3) = 206.155...
        XCTAssertEqual(m.sqn, 2 * 75 / 206.15528128088303, accuracy: 1e-12)
        // Daily returns 0.02, 0.01, 0, -0.01: mean 0.005, sample sd 0.0129099…
        XCTAssertEqual(m.sharpe, 0.005 / 0.012909944487358056 * 252.0.squareRoot(), accuracy: 1e-9)
        // Downside deviation √(0.0001 / 4) = 0.005
        XCTAssertEqual(m.sortino, 0.005 / 0.005 * 252.0.squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(m.totalCommission, 4)
        XCTAssertEqual(m.averageHoldMinutes, 5)
        XCTAssertEqual(m.exposure, 0.04)
    }

    func testEquityCurveThinsDeterministically() {
        let points = (0..<1001).map { EquityPoint(time: "\($0)", equity: Double($0)) }
        let thin = EquityCurve.thin(points)
        XCTAssertEqual(thin.count, 500)
        XCTAssertEqual(thin.first, points.first)
        XCTAssertEqual(thin.last, points.last)
        XCTAssertEqual(thin, EquityCurve.thin(points))
        XCTAssertEqual(EquityCurve.thin(Array(points.prefix(10))).count, 10)
    }
}
