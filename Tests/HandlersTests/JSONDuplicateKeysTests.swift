@testable import Handlers
import XCTest

final class JSONDuplicateKeysTests: XCTestCase {
    private func first(_ text: String) -> String? { JSONDuplicateKeys.first(in: Array(text.utf8)) }

    func testDistinctKeysPass() {
        XCTAssertNil(first(#"{}"#))
        XCTAssertNil(first(#"{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}"#), "the same key in different objects is fine")
        XCTAssertNil(first(#"{"a":"x\",\"a\":1","b":"{\"a\":1,\"a\":2}"}"#), "keys inside string values are text")
        XCTAssertNil(first(#"[{"a":1},{"a":1}]"#))
        XCTAssertNil(first(#"{"a" : [1, {"b": 2}] , "b" : 3}"#))
    }

    func testARepeatedKeyIsFoundAtAnyDepth() {
        XCTAssertEqual(first(#"{"botId":"x","botId":"y"}"#), "botId")
        XCTAssertEqual(first(#"{"a":{"b":1,"c":[1,2],"b":2}}"#), "b")
        XCTAssertEqual(first(#"[1,{"k":1},{"z":0,"k":[{"q":1}],"k":2}]"#), "k")
        XCTAssertEqual(first(#"{"a":1,"\u0061":2}"#), "a", "escapes are resolved before comparing")
        XCTAssertEqual(first(#"{"tab\t":1,"tab\u0009":2}"#), "tab\t")
    }
}
