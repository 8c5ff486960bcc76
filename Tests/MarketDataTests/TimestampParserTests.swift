import Foundation
@testable import MarketData
import TestSupport
import XCTest

final class TimestampParserTests: XCTestCase {
    func testEpochUnitsByMagnitude() {
        var parser = TimestampParser()
        for text in ["1609160400", "1609160400000", "1609160400000000", "1609160400000000000"] {
            XCTAssertEqual(parser.parse(Substring(text)), 1_609_160_400, text)
        }
    }

    func testISOForms() {
        var parser = TimestampParser()
        XCTAssertEqual(parser.parse("2020-12-28T13:00:00Z"), 1_609_160_400)
        XCTAssertEqual(parser.parse("2020-12-28T13:00:00.000000000Z"), 1_609_160_400)
        XCTAssertEqual(parser.parse("2020-12-28T07:00:00-06:00"), 1_609_160_400)
        XCTAssertEqual(parser.parse("2020-12-28 13:00:00"), 1_609_160_400)
        XCTAssertEqual(parser.parse("2020-12-28T12:59:59.999Z"), 1_609_160_400, "rounds to the nearest second")
        XCTAssertNil(parser.parse("ts"))
        XCTAssertNil(parser.parse("2020-13-28T13:00:00Z"))
        XCTAssertNil(parser.parse("2020-12-28T13:00:00Q"))
    }

    func testNaiveStampsUseTheDeclaredZoneAcrossDST() {
        var parser = TimestampParser(naiveZone: TimeZone(identifier: "America/New_York")!)
        XCTAssertEqual(parser.parse("2023-01-03 09:30:00"), epoch("2023-01-03T14:30:00Z"))
        XCTAssertEqual(parser.parse("2023-07-03 09:30:00"), epoch("2023-07-03T13:30:00Z"))
    }
}
