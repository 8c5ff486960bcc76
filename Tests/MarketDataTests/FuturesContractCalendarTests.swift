import Market
@testable import MarketData
import XCTest

final class FuturesContractCalendarTests: XCTestCase {
    private func day(_ text: String) -> Int { CivilDate(text)!.daysSinceEpoch }

    func testEquityIndexRollsEightDaysBeforeTheThirdFriday() {
        // March 2024: third Friday the 15th, roll Thursday the 7th.
        XCTAssertEqual(FuturesContractCalendar.front(root: "ES", day: day("2024-03-06")), "ESH4")
        XCTAssertEqual(FuturesContractCalendar.front(root: "ES", day: day("2024-03-07")), "ESM4")
        XCTAssertEqual(FuturesContractCalendar.front(root: "MNQ", day: day("2024-01-15")), "MNQH4")
        XCTAssertEqual(FuturesContractCalendar.front(root: "ES", day: day("2024-12-20")), "ESH5")
    }

    func testEnergyAndMetals() {
        XCTAssertEqual(FuturesContractCalendar.front(root: "CL", day: day("2024-01-10")), "CLG4")
        XCTAssertEqual(FuturesContractCalendar.front(root: "CL", day: day("2024-01-20")), "CLH4")
        XCTAssertEqual(FuturesContractCalendar.front(root: "CL", day: day("2024-12-20")), "CLG5")
        XCTAssertEqual(FuturesContractCalendar.front(root: "GC", day: day("2024-11-10")), "GCZ4")
        XCTAssertEqual(FuturesContractCalendar.front(root: "GC", day: day("2024-11-26")), "GCG5")
        XCTAssertEqual(FuturesContractCalendar.front(root: "GC", day: day("2024-02-10")), "GCJ4")
        XCTAssertNil(FuturesContractCalendar.front(root: "ZB", day: day("2024-02-10")))
    }

    func testSegmentsSplitAtTheRoll() {
        let from = Int64(day("2024-03-04")) * 86_400, to = Int64(day("2024-03-09")) * 86_400
        let segments = FuturesContractCalendar.segments(root: "ES", from: from, to: to)!
        XCTAssertEqual(segments.map(\.ticker), ["ESH4", "ESM4"])
        XCTAssertEqual(segments.first?.from, from)
        XCTAssertEqual(segments.first?.to, Int64(day("2024-03-07")) * 86_400)
        XCTAssertEqual(segments.last?.to, to)
    }
}
