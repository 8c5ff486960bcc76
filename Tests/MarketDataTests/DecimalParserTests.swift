@testable import MarketData
import XCTest

/// The CSV reader's number parser must give exactly Double(String)'s value: prices
/// feed fingerprints and trade parity, so one ulp of difference is a different backtest.
final class DecimalParserTests: XCTestCase {
    private func parse(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { DecimalParser.parse($0) }
    }

    func testAgreesWithDoubleOfStringBitForBit() {
        var samples = ["0", "-0", "+7", "4321.25", "1676.75", "0.1", "0.3", ".5", "5.", "18301.000000001",
                       "9007199254740991", "9007199254740993", "123456789012345678901", "1e2", "-2.5E-3",
                       "0.0000000000000000000001", "0.00000000000000000000001", "inf", "nan", "0x1p3",
                       "", "-", ".", "1.2.3", "12a", " 1"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let whole = UInt64.random(in: 0...99_999_999, using: &generator)
            let fraction = UInt64.random(in: 0...999_999_999, using: &generator)
            let places = Int.random(in: 0...9, using: &generator)
            let digits = String(String(fraction).prefix(places))
            samples.append((Bool.random(using: &generator) ? "-" : "") + "\(whole)" + (places == 0 ? "" : ".\(digits)"))
        }
        for text in samples {
            let expected = Double(text)
            let got = parse(text)
            XCTAssertEqual(got?.bitPattern, expected?.bitPattern, "'\(text)': \(String(describing: got)) vs \(String(describing: expected))")
        }
    }
}
