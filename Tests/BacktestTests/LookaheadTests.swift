import XCTest
@testable import Backtest
@testable import Market

/// No lookahead, for every archetype of every family: what happens after time T —
/// bars appended, or bars after T perturbed — never changes a trade closed before T.
final class LookaheadTests: XCTestCase {
    private func trades(_ archetype: Archetype, _ bars: BarSeries) throws -> [Trade] {
        try Backtester.run(BacktestRequest(archetype: archetype, params: archetype.defaults,
                                           instrument: Instruments.spec("ES")!, bars: bars, dataSource: "file")).trades
    }

    /// Deterministically perturbed copy: bars from `cut` on get new prices (still valid bars).
    private func perturbed(_ bars: BarSeries, from cut: Int, seed: UInt64) throws -> BarSeries {
        var o = bars.open, h = bars.high, l = bars.low, c = bars.close, v = bars.volume
        var state = seed
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        for i in cut..<bars.count {
            let shift = (next() - 0.5) * 40
            let a = bars.open[i] + shift, b = bars.close[i] + (next() - 0.5) * 20
            o[i] = (a * 4).rounded() / 4
            c[i] = (b * 4).rounded() / 4
            h[i] = max(o[i], c[i]) + (next() * 8).rounded() / 4
            l[i] = min(o[i], c[i]) - (next() * 8).rounded() / 4
            v[i] = (next() * 1000).rounded()
        }
        return try BarSeries(timeframe: bars.timeframe, timestamps: bars.timestamps, open: o, high: h, low: l,
                             close: c, volume: v)
    }

    func testNoFamilyLooksAhead() throws {
        var checkedTrades = 0
        for archetype in Archetypes.all {
            let bars = try Fixture.esBars(archetype.timeframe)
            let full = try trades(archetype, bars)
            // Cut points inside sessions, in the morning and the afternoon of several days.
            for fraction in [0.2, 0.37, 0.5, 0.63, 0.81] {
                let cut = Int(Double(bars.count) * fraction)
                let t = bars.timestamps[cut]
                let tPrevious = isoUTC(bars.timestamps[cut - 1])
                let before = full.filter { $0.exitTime < isoUTC(t) }

                // Perturbing everything from T on changes nothing closed before T.
                let noisy = try trades(archetype, perturbed(bars, from: cut, seed: UInt64(cut)))
                XCTAssertEqual(noisy.filter { $0.exitTime < isoUTC(t) }, before, "\(archetype.slug) perturbed at \(t)")

                // Appending: the run on bars up to T agrees with the full run on every
                // trade that closed before the last bar (which the truncated run must
                // close at its end of data).
                let truncated = try trades(archetype, bars.slice(0..<cut))
                XCTAssertEqual(truncated.filter { $0.exitTime < tPrevious }, full.filter { $0.exitTime < tPrevious },
                               "\(archetype.slug) truncated at \(t)")
                checkedTrades += before.count
            }
        }
        XCTAssertGreaterThan(checkedTrades, 100)
    }

    /// The view a strategy gets cannot read a bar that has not closed.
    func testClosedBarsExposeOnlyTheClosedPrefix() throws {
        struct Probe: Strategy {
            var readable: [Bool] = []
            mutating func beginSession(_ session: SessionContext) {}
            mutating func onBarClose(_ bars: ClosedBars, _ position: PositionView) -> Decision {
                readable.append(bars.index == bars.index && bars.close(bars.index) == bars.close)
                return .hold
            }
        }
        let bars = try Fixture.bars(Array(repeating: (4000, 4001, 3999, 4000), count: 5))
        var probe = Probe()
        let instrument = Instruments.spec("ES")!
        _ = simulate(&probe, bars: bars, plan: DayPlan.build(bars: bars, session: instrument.session, regularHours: true),
                     rules: Fixture.rules(), instrument: instrument, costs: .standard(for: instrument))
        XCTAssertEqual(probe.readable, [true, true, true, true, true])
    }
}
