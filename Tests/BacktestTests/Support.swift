import Foundation
import XCTest
@testable import Backtest
@testable import Market

/// A strategy that does what the test script says at given bars, and records what it saw.
struct ScriptedStrategy: Strategy {
    var script: [Int: Decision]
    var seen: [(index: Int, direction: Int, canEnter: Bool)] = []

    init(_ script: [Int: Decision]) {
        self.script = script
    }

    mutating func beginSession(_ session: SessionContext) {}

    mutating func onBarClose(_ bars: ClosedBars, _ position: PositionView) -> Decision {
        seen.append((bars.index, position.direction, position.canEnter))
        return script[bars.index] ?? .hold
    }
}

enum Fixture {
    /// 2013-10-07 08:30 CDT (Monday), the regular-hours open, in UTC epoch seconds.
    static let rthOpen: Int64 = Int64(CivilDate("2013-10-07")!.daysSinceEpoch) * 86_400 + 13 * 3600 + 30 * 60

    /// 1-minute bars from the regular-hours open, one (open, high, low, close) per bar.
    static func bars(_ ohlc: [(Double, Double, Double, Double)], start: Int64 = rthOpen) throws -> BarSeries {
        try BarSeries(
            timeframe: .m1, timestamps: ohlc.indices.map { start + Int64($0) * 60 },
            open: ohlc.map(\.0), high: ohlc.map(\.1), low: ohlc.map(\.2), close: ohlc.map(\.3),
            volume: Array(repeating: 100, count: ohlc.count))
    }

    static func rules(
        contracts: Int = 1, maxTradesPerDay: Int = 5, maxHoldBars: Int = 0, lastEntryMinutes: Int = 1440,
        regularHours: Bool = true
    ) -> TradingRules {
        TradingRules(useRegularHours: regularHours, contracts: contracts, maxTradesPerDay: maxTradesPerDay,
                     maxHoldBars: maxHoldBars, lastEntryMinutes: lastEntryMinutes)
    }

    static func simulateScript(
        _ script: [Int: Decision], bars: BarSeries, symbol: String = "ES", rules: TradingRules = rules(),
        slippageTicks: Int = 0
    ) -> (SimulationOutput, ScriptedStrategy) {
        let instrument = Instruments.spec(symbol)!
        var strategy = ScriptedStrategy(script)
        let plan = DayPlan.build(bars: bars, session: instrument.session, regularHours: rules.useRegularHours)
        let output = simulate(&strategy, bars: bars, plan: plan, rules: rules, instrument: instrument,
                              costs: CostModel(commissionPerSide: instrument.commissionPerSide, slippageTicks: slippageTicks))
        return (output, strategy)
    }

    static func long(stop: Level = .none, target: Level = .none) -> Decision {
        .enter(EntryOrder(side: .long, stop: stop, target: target, reason: EntryReason(.rangeBreakoutAbove, 0, 0)))
    }

    static func short(stop: Level = .none, target: Level = .none) -> Decision {
        .enter(EntryOrder(side: .short, stop: stop, target: target, reason: EntryReason(.rangeBreakoutBelow, 0, 0)))
    }

    // MARK: Real CME ES data

    /// ../shared/data from the package root, found from this file's real location.
    static var dataDirectory: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data")
    }

    /// The 1-minute ES file, read with a small CSV reader (the file provider is another
    /// module's; this test depends only on Market). Cached: it is read once per process.
    static let es1m: BarSeries? = {
        let url = dataDirectory.appendingPathComponent("es-1m/ES_front_month_1m_utc.csv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        var ts: [Int64] = [], o: [Double] = [], h: [Double] = [], l: [Double] = [], c: [Double] = []
        var v: [Double] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",")
            guard f.count == 7, let date = CivilDate(String(f[0].prefix(10))),
                  let hh = Int64(f[0].dropFirst(11).prefix(2)), let mm = Int64(f[0].dropFirst(14).prefix(2)),
                  let open = Double(f[2]), let high = Double(f[3]), let low = Double(f[4]), let close = Double(f[5]),
                  let volume = Double(f[6])
            else { return nil }
            ts.append(Int64(date.daysSinceEpoch) * 86_400 + hh * 3600 + mm * 60)
            o.append(open); h.append(high); l.append(low); c.append(close); v.append(volume)
        }
        return try? BarSeries(timeframe: .m1, timestamps: ts, open: o, high: h, low: l, close: c, volume: v)
    }()

    static func esBars(_ timeframe: Timeframe) throws -> BarSeries {
        let bars = try XCTUnwrap(es1m, "real ES data missing at \(dataDirectory.path)")
        return try bars.resampled(to: timeframe, session: .cmeEquityIndex)
    }
}
