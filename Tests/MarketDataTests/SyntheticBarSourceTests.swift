import Foundation
import Market
import MarketData
import TestSupport
import XCTest

final class SyntheticBarSourceTests: XCTestCase {
    private let es = Instruments.spec("ES")!
    /// Monday 2024-03-04 … Saturday 2024-03-09 (UTC), one full Globex week.
    private let weekFrom = date("2024-03-03T00:00:00Z")
    private let weekTo = date("2024-03-09T00:00:00Z")

    private func fetch(
        _ instrument: Instrument, _ timeframe: Timeframe = .m1, from: Date, to: Date, seed: UInt64 = 1
    ) throws -> BarFetch {
        try SyntheticBarSource(seed: seed).fetchBars(
            BarRequest(instrument: instrument, timeframe: timeframe, from: from, to: to))
    }

    func testSameRequestGivesIdenticalBars() throws {
        let a = try fetch(es, from: weekFrom, to: weekTo).bars
        let b = try fetch(es, from: weekFrom, to: weekTo).bars
        XCTAssertEqual(a.timestamps, b.timestamps)
        XCTAssertEqual(a.close, b.close)
        XCTAssertEqual(a.fingerprint, b.fingerprint)
    }

    func testDifferentSeedGivesDifferentBars() throws {
        let a = try fetch(es, from: weekFrom, to: weekTo, seed: 1).bars
        let b = try fetch(es, from: weekFrom, to: weekTo, seed: 2).bars
        XCTAssertEqual(a.timestamps, b.timestamps)
        XCTAssertNotEqual(a.fingerprint, b.fingerprint)
    }

    func testADayDoesNotDependOnTheRequestedWindow() throws {
        let week = try fetch(es, from: weekFrom, to: weekTo).bars
        let dayFrom = date("2024-03-06T13:00:00Z"), dayTo = date("2024-03-06T21:00:00Z")
        let day = try fetch(es, from: dayFrom, to: dayTo).bars
        let slice = week.window(from: epoch("2024-03-06T13:00:00Z"), to: epoch("2024-03-06T21:00:00Z"))
        XCTAssertEqual(day.fingerprint, slice.fingerprint)
        // A year-long request agrees with the week inside it too.
        let year = try fetch(es, from: date("2023-09-01T00:00:00Z"), to: date("2024-06-01T00:00:00Z")).bars
        XCTAssertEqual(year.window(from: epoch("2024-03-03T00:00:00Z"), to: epoch("2024-03-09T00:00:00Z")).fingerprint,
                       week.fingerprint)
    }

    func testGlobexSessionsBreakAndWeekend() throws {
        let bars = try fetch(es, from: weekFrom, to: weekTo).bars
        XCTAssertEqual(bars.count, 5 * 23 * 60, "five 23-hour sessions of one-minute bars")
        let chicago = TimeZone(identifier: "America/Chicago")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = chicago
        for t in bars.timestamps {
            let parts = calendar.dateComponents([.weekday, .hour], from: Date(timeIntervalSince1970: Double(t)))
            XCTAssertNotEqual(parts.hour, 16, "bar in the 16:00–17:00 CT break at \(isoUTC(t))")
            XCTAssertNotEqual(parts.weekday, 7, "bar on a Saturday at \(isoUTC(t))")
            if parts.weekday == 1 { XCTAssertGreaterThanOrEqual(parts.hour!, 17, "Sunday bar before the open") }
            if parts.weekday == 6 { XCTAssertLessThan(parts.hour!, 16, "Friday bar after the close") }
        }
        XCTAssertEqual(bars.timestamps.first, epoch("2024-03-03T23:00:00Z"), "Sunday 17:00 CST")
    }

    func testPricesAreTickRoundedAndAtASaneLevel() throws {
        let cases: [(Instrument, ClosedRange<Double>)] = [
            (Instruments.spec("ES")!, 3000...8000), (Instruments.spec("MNQ")!, 10_000...30_000),
            (Instruments.spec("RTY")!, 1000...4000), (Instruments.spec("YM")!, 25_000...60_000),
            (Instruments.spec("CL")!, 20...200), (Instruments.spec("GC")!, 1000...4000),
            (Instruments.equity("AAPL"), 5...1000),
        ]
        for (instrument, level) in cases {
            let bars = try fetch(instrument, from: date("2024-01-01T00:00:00Z"), to: date("2024-03-01T00:00:00Z")).bars
            XCTAssertGreaterThan(bars.count, 1000, instrument.symbol)
            // Every tick size here divides a point a whole number of times; a tick-rounded
            // price is then exactly the nearest double to its decimal quote.
            let ticksPerPoint = (1 / instrument.tickSize).rounded()
            for column in [bars.open, bars.high, bars.low, bars.close] {
                for price in column {
                    XCTAssertEqual(price, (price * ticksPerPoint).rounded() / ticksPerPoint,
                                   "\(instrument.symbol) \(price) is off-tick")
                    XCTAssertTrue(level.contains(price), "\(instrument.symbol) price \(price) outside \(level)")
                }
            }
        }
    }

    func testEquitiesTradeRegularHoursOnly() throws {
        let bars = try fetch(Instruments.equity("MSFT"), from: weekFrom, to: weekTo).bars
        XCTAssertEqual(bars.count, 5 * 390)
        XCTAssertEqual(bars.timestamps.first, epoch("2024-03-04T14:30:00Z"), "09:30 EST")
    }

    func testMicroFollowsItsEMini() throws {
        let es = try fetch(Instruments.spec("ES")!, from: weekFrom, to: weekTo).bars
        let mes = try fetch(Instruments.spec("MES")!, from: weekFrom, to: weekTo).bars
        XCTAssertEqual(es.close, mes.close)
        XCTAssertNotEqual(es.volume, mes.volume)
    }

    func testRegularHoursAreUShapedInRangeAndVolume() throws {
        let bars = try fetch(es, from: date("2024-01-01T00:00:00Z"), to: date("2024-04-01T00:00:00Z")).bars
        let sessions = es.session.sessions(covering: bars.timestamps.first!, through: bars.timestamps.last!)
        var openRange = 0.0, middayRange = 0.0, openVolume = 0.0, middayVolume = 0.0
        for day in sessions {
            let open = bars.window(from: day.regularOpen, to: day.regularOpen + 1800)
            let midday = bars.window(from: day.regularOpen + 3 * 3600, to: day.regularOpen + 3 * 3600 + 1800)
            for i in 0..<open.count { openRange += open.high[i] - open.low[i]; openVolume += open.volume[i] }
            for i in 0..<midday.count { middayRange += midday.high[i] - midday.low[i]; middayVolume += midday.volume[i] }
        }
        XCTAssertGreaterThan(openRange, 1.5 * middayRange)
        XCTAssertGreaterThan(openVolume, 1.5 * middayVolume)
    }

    func testTrendingAndRangeBoundDaysBothOccur() throws {
        let bars = try fetch(es, .h1, from: date("2023-01-01T00:00:00Z"), to: date("2024-01-01T00:00:00Z")).bars
        let sessions = es.session.sessions(covering: bars.timestamps.first!, through: bars.timestamps.last!)
        var trending = 0, rangeBound = 0, days = 0
        for day in sessions {
            let session = bars.window(from: day.open, to: day.close)
            guard session.count > 10 else { continue }
            days += 1
            let range = session.high.max()! - session.low.min()!
            let move = abs(session.close.last! - session.open.first!)
            if move > 0.6 * range { trending += 1 }
            if move < 0.2 * range { rangeBound += 1 }
        }
        XCTAssertGreaterThan(days, 240)
        XCTAssertGreaterThan(Double(trending) / Double(days), 0.15, "trend days")
        XCTAssertGreaterThan(Double(rangeBound) / Double(days), 0.15, "range-bound days")
    }

    func testWiderTimeframesAreResampledMinutes() throws {
        let minutes = try fetch(es, from: weekFrom, to: weekTo).bars
        let fives = try fetch(es, .m5, from: weekFrom, to: weekTo).bars
        XCTAssertEqual(try minutes.resampled(to: .m5, session: es.session).fingerprint, fives.fingerprint)
        XCTAssertEqual(fives.count, 5 * 23 * 12)
    }

    func testLabelAndUsage() throws {
        let fetch = try fetch(es, from: weekFrom, to: weekTo)
        XCTAssertEqual(fetch.source, "synthetic")
        XCTAssertEqual(fetch.usage.count, 1)
        XCTAssertEqual(fetch.usage[0].provider, "synthetic")
        XCTAssertEqual(fetch.usage[0].status, "OK")
        XCTAssertEqual(fetch.usage[0].barsReturned, fetch.bars.count)
    }

    func testWeekendOnlyWindowIsNoData() {
        XCTAssertThrowsError(try fetch(es, from: date("2024-03-09T00:00:00Z"), to: date("2024-03-10T12:00:00Z"))) { error in
            XCTAssertEqual((error as? MarketDataError)?.code, "NO_DATA")
            XCTAssertEqual((error as? MarketDataError)?.usage.first?.status, "NO_DATA")
        }
    }

    func testDatesBeforeTheWalkOriginWork() throws {
        let bars = try fetch(es, from: date("1985-06-02T00:00:00Z"), to: date("1985-06-08T00:00:00Z")).bars
        XCTAssertEqual(bars.count, 5 * 23 * 60)
        XCTAssertTrue((2000...12_000).contains(bars.close[0]))
    }
}
