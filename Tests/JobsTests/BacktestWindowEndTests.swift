import Foundation
import Jobs
import Market
import MarketData
import XCTest

/// Where a baseline window ends: now, or the end of a file of past bars. No database.
final class BacktestWindowEndTests: XCTestCase {
    static let esDirectory = ScratchDatabase.packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/data/es-1m").path
    private let es = Instruments.spec("ES")!

    private func epoch(_ iso: String) -> Int64 { Int64(ISO8601DateFormatter().date(from: iso)!.timeIntervalSince1970) }
    private func date(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    func testBaselinesEndWhereAFileOfPastBarsEnds() {
        let files = FileBarSource(path: Self.esDirectory)
        let now = date("2026-06-01T12:00:00Z")
        let end = BacktestWindow.end(of: files, for: es, now: now)
        XCTAssertEqual(Int64(end.timeIntervalSince1970), epoch("2020-01-07T00:00:00Z"), "the last bar's end")

        // The last sessions that closed by then: the file's 2020-01-06 session is the last one.
        let window = BacktestWindow.recentSessions(session: es.session, timeframe: .m1, tradingDays: 20,
                                                   minimumBars: 1000, now: end)
        XCTAssertEqual(window.to, epoch("2020-01-06T22:00:00Z"))
        XCTAssertEqual(window.endTradeDate, "2020-01-07")

        // A file still running at `now`, and sources without an end, keep `now`.
        let early = date("2013-11-01T12:00:00Z")
        XCTAssertEqual(BacktestWindow.end(of: files, for: es, now: early), early)
        XCTAssertEqual(BacktestWindow.end(of: SyntheticBarSource(), for: es, now: now), now)
    }

    func testTheChainAnchorsOnlyTheInstrumentsItsFilesServe() {
        let now = date("2026-06-01T12:00:00Z")
        let chain = BarSources.chain(environment: ["GAUNTLET_DATA_DIR": Self.esDirectory])
        XCTAssertEqual(Int64(BacktestWindow.end(of: chain, for: es, now: now).timeIntervalSince1970),
                       epoch("2020-01-07T00:00:00Z"))
        XCTAssertEqual(BacktestWindow.end(of: chain, for: Instruments.spec("MNQ")!, now: now), now, "MNQ is synthetic")
        let withKey = BarSources.chain(environment: ["GAUNTLET_DATA_DIR": Self.esDirectory, "POLYGON_API_KEY": "pg-x"])
        XCTAssertEqual(BacktestWindow.end(of: withKey, for: es, now: now), now, "polygon serves ES first, up to now")
    }
}
