import Foundation
import XCTest
import Market
@testable import Backtest

final class WalkForwardTests: XCTestCase {
    private func request(_ slug: String = "orb-30-es-1m") throws -> BacktestRequest {
        let archetype = try XCTUnwrap(Archetypes.named(slug))
        return BacktestRequest(archetype: archetype, params: archetype.defaults, instrument: Instruments.spec("ES")!,
                               bars: try Fixture.esBars(archetype.timeframe), dataSource: "file")
    }

    /// The out-of-sample aggregate is the concatenation of the test folds, and with
    /// the first block it is the whole run: nothing is dropped or counted twice.
    func testTestFoldsTileTheOutOfSampleAggregate() throws {
        for slug in ["orb-30-es-1m", "vwap-revert-es-1m"] {
            let request = try request(slug)
            let result = try WalkForward.run(request, spec: WalkForwardSpec(folds: 4, trials: 3, resamples: 500))
            let evidence = try XCTUnwrap(result.evidence)
            XCTAssertEqual(evidence.folds.count, 4)
            XCTAssertEqual(evidence.folds.map(\.outOfSample.sessions).reduce(0, +), result.provenance.sessionsTested)
            XCTAssertEqual(evidence.folds.map(\.outOfSample.metrics.totalTrades).reduce(0, +), result.metrics.totalTrades)
            XCTAssertEqual(evidence.folds.map(\.outOfSample.metrics.netProfit).reduce(0, +), result.metrics.netProfit,
                           accuracy: 0.005)
            let whole = try Backtester.run(request)
            XCTAssertEqual(evidence.window.sessions, whole.provenance.sessionsTested)
            XCTAssertEqual(evidence.window.metrics, whole.metrics)
            XCTAssertEqual(evidence.folds[0].inSample.metrics.totalTrades + result.metrics.totalTrades,
                           whole.metrics.totalTrades)
            // Anchored: every in-sample span starts at the first session; fold i tests what fold i+1 trains on.
            for (a, b) in zip(evidence.folds, evidence.folds.dropFirst()) {
                XCTAssertEqual(a.inSample.from, b.inSample.from)
                XCTAssertEqual(a.outOfSample.to, b.inSample.to)
            }
            // A drawdown of a slice never exceeds the whole run's from a lower peak … but is never negative.
            XCTAssertTrue(evidence.folds.allSatisfy { $0.outOfSample.metrics.maxDrawdown >= 0 })
        }
    }

    func testRollingFoldsTrainOnTheBlockBefore() throws {
        let result = try WalkForward.run(try request(), spec: WalkForwardSpec(folds: 3, mode: .rolling, resamples: 100))
        let folds = try XCTUnwrap(result.evidence).folds
        for fold in folds.dropFirst() {
            XCTAssertEqual(fold.inSample.to, fold.outOfSample.from)
            XCTAssertNotEqual(fold.inSample.from, folds[0].inSample.from)
        }
    }

    func testSameEvidenceGivesTheSameIntervals() throws {
        let spec = WalkForwardSpec(folds: 4, trials: 5, resamples: 1000)
        let a = try WalkForward.run(try request(), spec: spec)
        let b = try WalkForward.run(try request(), spec: spec)
        XCTAssertEqual(try a.jsonData(), try b.jsonData())
        let i = try XCTUnwrap(a.evidence).intervals
        XCTAssertEqual(i.resamples, 1000)
        for x in [i.sharpe, i.expectancy, i.profitFactor] { XCTAssertLessThanOrEqual(x.ciLow, x.ciHigh) }
    }

    func testTooFewSessionsLowerTheFoldsOrFail() throws {
        var request = try request()
        let day = CivilDate("2013-10-09")!.daysSinceEpoch
        let sessions = TradingSession.cmeEquityIndex.sessions(fromDay: day, throughDay: day + 1)
        request.bars = request.bars.window(from: sessions[0].open, to: sessions[0].close)
        XCTAssertThrowsError(try WalkForward.run(request, spec: WalkForwardSpec())) { error in
            XCTAssertEqual((error as? BacktestError)?.code, "TOO_FEW_SESSIONS")
        }
        request.bars = try Fixture.esBars(.m1).window(from: sessions[0].open, to: sessions[1].close)
        let result = try WalkForward.run(request, spec: WalkForwardSpec(folds: 4, resamples: 10))
        XCTAssertEqual(result.evidence?.spec.folds, 1)
    }

    /// The acceptance check: the deflated Sharpe ratio recomputed by hand from the
    /// printed (JSON) inputs — with a normal CDF and quantile written here
    /// independently — agrees with the engine's to 1e-6, and the printed inputs are
    /// the moments of the printed daily out-of-sample PnL.
    func testDeflatedSharpeRecomputedByHandFromThePrintedInputs() throws {
        for trials in [1, 2, 7, 250] {
            let result = try WalkForward.run(try request("vwap-revert-es-1m"), spec: WalkForwardSpec(trials: trials, resamples: 10))
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: try result.jsonData()) as? [String: Any])
            let evidence = try XCTUnwrap(json["evidence"] as? [String: Any])
            let printed = try XCTUnwrap(evidence["deflated_sharpe"] as? [String: Any])
            let sr = try XCTUnwrap(printed["sharpe_per_period"] as? Double)
            let t = Double(try XCTUnwrap(printed["observations"] as? Int))
            let skew = try XCTUnwrap(printed["skewness"] as? Double)
            let kurt = try XCTUnwrap(printed["kurtosis"] as? Double)
            let n = Double(try XCTUnwrap(printed["trials"] as? Int))
            XCTAssertEqual(Int(n), trials)

            // Φ and Φ⁻¹ by hand: erfc, and bisection on it.
            func phi(_ x: Double) -> Double { 0.5 * erfc(-x / sqrt(2)) }
            func phiInverse(_ p: Double) -> Double {
                var (lo, hi) = (-40.0, 40.0)
                for _ in 0..<200 { let mid = (lo + hi) / 2; if phi(mid) < p { lo = mid } else { hi = mid } }
                return (lo + hi) / 2
            }
            let gamma = 0.5772156649015329
            let sr0 = n < 2 ? 0 : sqrt(1 / (t - 1)) * ((1 - gamma) * phiInverse(1 - 1 / n) + gamma * phiInverse(1 - 1 / (n * M_E)))
            let dsr = phi((sr - sr0) * sqrt(t - 1) / sqrt(1 - skew * sr + (kurt - 1) / 4 * sr * sr))
            XCTAssertEqual(try XCTUnwrap(printed["value"] as? Double), dsr, accuracy: 1e-6, "trials \(trials)")
            XCTAssertEqual(try XCTUnwrap(printed["expected_max_sharpe"] as? Double), sr0, accuracy: 1e-9)

            // The inputs are the moments of the printed out-of-sample daily returns.
            let daily = try XCTUnwrap(json["daily"] as? [[String: Any]]).map { ($0["pnl"] as? Double ?? .nan) / 50_000 }
            XCTAssertEqual(Double(daily.count), t)
            let mean = daily.reduce(0, +) / t
            let m2 = daily.map { pow($0 - mean, 2) }.reduce(0, +) / t
            XCTAssertEqual(sr, mean / sqrt(m2 * t / (t - 1)), accuracy: 1e-12)
            XCTAssertEqual(skew, daily.map { pow($0 - mean, 3) }.reduce(0, +) / t / pow(m2, 1.5), accuracy: 1e-9)
            XCTAssertEqual(kurt, daily.map { pow($0 - mean, 4) }.reduce(0, +) / t / (m2 * m2), accuracy: 1e-9)
        }
    }

    func testMoreTrialsDeflateMore() {
        let returns = (0..<100).map { i in 0.001 + 0.01 * sin(Double(i) * 1.7) }
        let values = [1, 2, 10, 100, 1000].map { DeflatedSharpe(returns: returns, trials: $0).value }
        XCTAssertEqual(values, values.sorted(by: >))
        XCTAssertGreaterThan(values[0], values[4])
        XCTAssertEqual(DeflatedSharpe(returns: [0, 0, 0, 0], trials: 3).value, 0)
        XCTAssertEqual(StandardNormal.quantile(0.975), 1.959963984540054, accuracy: 1e-12)
        XCTAssertEqual(StandardNormal.quantile(1e-6), -4.753424308822899, accuracy: 1e-10)
    }
}
