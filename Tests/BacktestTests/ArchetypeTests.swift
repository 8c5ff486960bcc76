import XCTest
@testable import Backtest
@testable import Market

final class ArchetypeTests: XCTestCase {
    func testTwentyStarterArchetypesAreRealConfigurations() throws {
        XCTAssertEqual(Archetypes.all.count, 20)
        XCTAssertEqual(Set(Archetypes.all.map(\.slug)).count, 20)
        XCTAssertEqual(Set(Archetypes.all.map(\.family)), Set(Family.allCases))
        let suggested: Set<String> = ["MNQ", "MES", "ES", "NQ", "M2K", "MYM", "MCL", "MGC", "CL", "GC"]
        for archetype in Archetypes.all {
            XCTAssertTrue(suggested.contains(archetype.instrument), archetype.slug)
            XCTAssertNotNil(Instruments.spec(archetype.instrument), archetype.slug)
            XCTAssertTrue([.m1, .m5].contains(archetype.timeframe), archetype.slug)
            let specs = archetype.family.specs
            XCTAssertEqual(Set(archetype.defaults.values.keys), Set(specs.map(\.name)), archetype.slug)
            XCTAssertEqual(Set(archetype.bounds.keys), Set(specs.map(\.name)), archetype.slug)
            for spec in specs {
                let bound = try XCTUnwrap(archetype.bounds[spec.name])
                XCTAssertTrue(bound.isWithin(spec.bound), "\(archetype.slug).\(spec.name) bounds exceed the family's")
                XCTAssertTrue(bound.admits(archetype.defaults[spec.name]!), "\(archetype.slug).\(spec.name) default")
            }
            XCTAssertEqual(try archetype.params(fromJSON: nil), archetype.defaults)
        }
        XCTAssertEqual(Archetypes.named("orb-15-mnq-5m")?.family, .openingRange)
        XCTAssertNil(Archetypes.named("nope"))
    }

    func testParamsFromJSONOverrideDefaults() throws {
        let orb = try XCTUnwrap(Archetypes.named("orb-15-mnq-5m"))
        let params = try orb.params(fromJSON: #"{"range_minutes": 30, "target_r": 2.5}"#)
        XCTAssertEqual(params["range_minutes"], .number(30))
        XCTAssertEqual(params["target_r"], .number(2.5))
        XCTAssertEqual(params["variant"], .text("breakout"))
        XCTAssertEqual(params.canonicalJSON.first, "{")
        XCTAssertTrue(params.canonicalJSON.contains(#""range_minutes":30,"#), params.canonicalJSON)
        XCTAssertNotEqual(params.hash, orb.defaults.hash)
        XCTAssertEqual(params.hash, try orb.params(fromJSON: #"{"target_r":2.5,"range_minutes":30}"#).hash)
    }

    func testParamsErrorsNameTheKey() throws {
        let orb = try XCTUnwrap(Archetypes.named("orb-15-mnq-5m"))
        func code(_ json: String) -> (ParamsError.Code, String)? {
            do {
                _ = try orb.params(fromJSON: json)
                return nil
            } catch {
                return (error.code, error.message)
            }
        }
        XCTAssertEqual(code(#"{"range_minute": 30}"#)?.0, .unknownKey)
        XCTAssertTrue(code(#"{"range_minute": 30}"#)?.1.contains("range_minute") ?? false)
        XCTAssertEqual(code(#"{"range_minutes": 500}"#)?.0, .outOfBounds)
        XCTAssertTrue(code(#"{"range_minutes": 500}"#)?.1.contains("5...60") ?? false)
        XCTAssertEqual(code(#"{"range_minutes": 15.5}"#)?.0, .outOfBounds)
        XCTAssertEqual(code(#"{"range_minutes": "15"}"#)?.0, .wrongType)
        XCTAssertEqual(code(#"{"variant": "retest"}"#)?.0, .outOfBounds)
        XCTAssertEqual(code(#"[1, 2]"#)?.0, .invalidJSON)
        let cross = try XCTUnwrap(Archetypes.named("ema-cross-mym-5m"))
        XCTAssertThrowsError(try cross.params(fromJSON: #"{"fast": 30, "slow": 20}"#)) { error in
            XCTAssertEqual((error as? ParamsError)?.code, .inconsistent)
        }
    }

    func testRunRefusesBadRequests() throws {
        let orb = try XCTUnwrap(Archetypes.named("orb-30-es-1m"))
        let bars = try Fixture.bars([(4000, 4001, 3999, 4000)])
        var params = orb.defaults
        params["contracts"] = 3
        let request = BacktestRequest(archetype: orb, params: params, instrument: Instruments.spec("ES")!, bars: bars,
                                      dataSource: "file", maxPosition: 2)
        XCTAssertThrowsError(try Backtester.run(request)) { error in
            XCTAssertEqual((error as? BacktestError)?.code, "MAX_POSITION_EXCEEDED")
        }
        params["contracts"] = 9
        XCTAssertThrowsError(try Backtester.run(BacktestRequest(archetype: orb, params: params,
                                                                instrument: Instruments.spec("ES")!, bars: bars,
                                                                dataSource: "file"))) { error in
            XCTAssertEqual((error as? BacktestError)?.code, "PARAMS_OUT_OF_BOUNDS")
        }
    }
}
