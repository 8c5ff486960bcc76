import Foundation
import XCTest
import Market
@testable import Backtest

/// Evolution and improvement rely on these: the same inputs give the same child,
/// every child is a valid parameter set of its archetype, and seeds spread.
final class MutationTests: XCTestCase {
    private let seeds: [UInt64] = (0..<200).map { Mutation.seed(UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!, $0) }

    func testSameSeedGivesTheSameMutation() throws {
        for archetype in Archetypes.all {
            for seed in seeds.prefix(20) {
                let first = try Mutation.mutate(archetype.defaults, of: archetype, seed: seed, strength: Mutation.Strength.evolve)
                let second = try Mutation.mutate(archetype.defaults, of: archetype, seed: seed, strength: Mutation.Strength.evolve)
                XCTAssertEqual(first, second, archetype.slug)
                XCTAssertEqual(first.params.hash, second.params.hash)
            }
        }
    }

    /// Pinned values: if this changes, every recorded child stops being reproducible.
    func testSeedDerivationIsStable() {
        let id = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!
        XCTAssertEqual(Mutation.seed(id, 2), Mutation.seed(id, 2))
        XCTAssertNotEqual(Mutation.seed(id, 2), Mutation.seed(id, 3))
        XCTAssertNotEqual(Mutation.seed(id, 2), Mutation.seed(UUID(uuidString: "00000000-0000-0000-0000-000000000002")!, 2))
        XCTAssertNotEqual(Mutation.seed(id, 1, 0), Mutation.seed(id, 1, 1))
        var generator = SplitMix64(seed: 0)
        // The reference sequence of SplitMix64 from seed 0.
        XCTAssertEqual(generator.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(generator.next(), 0x6E78_9E6A_A1B9_65F4)
    }

    func testEveryMutationIsValidWithinBoundsAndChangesOneToThreeLevers() throws {
        for archetype in Archetypes.all {
            let levers = Set(Mutation.levers(of: archetype.family))
            for seed in seeds {
                for strength in [Mutation.Strength.improve, Mutation.Strength.evolve, 1.0] {
                    let mutation = try Mutation.mutate(archetype.defaults, of: archetype, seed: seed, strength: strength)
                    XCTAssertEqual(try archetype.validate(mutation.params), mutation.params, archetype.slug)
                    for (name, value) in mutation.params.values {
                        let bound = try XCTUnwrap(archetype.bounds[name])
                        XCTAssertTrue(bound.admits(value), "\(archetype.slug) \(name) = \(value) outside \(bound)")
                    }
                    XCTAssertTrue((1...3).contains(mutation.changes.count), "\(archetype.slug): \(mutation.changes)")
                    for (name, change) in mutation.changes {
                        XCTAssertTrue(levers.contains(name), "\(archetype.slug) moved \(name), which is not a lever")
                        XCTAssertNotEqual(change.from, change.to)
                        XCTAssertEqual(mutation.params[name], change.to)
                        XCTAssertEqual(archetype.defaults[name], change.from)
                    }
                    let unchanged = mutation.params.values.filter { mutation.changes[$0.key] == nil }
                    for (name, value) in unchanged { XCTAssertEqual(archetype.defaults[name], value, "\(archetype.slug) \(name)") }
                    XCTAssertNotEqual(mutation.params.hash, archetype.defaults.hash)
                }
            }
        }
    }

    /// Chains of generations keep every invariant, including fast < slow and
    /// min gap ≤ max gap, which bounds alone do not enforce.
    func testRepeatedMutationStaysValid() throws {
        for archetype in Archetypes.all {
            var params = archetype.defaults
            for generation in 2...60 {
                let seed = Mutation.seed(UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!, generation)
                params = try Mutation.mutate(params, of: archetype, seed: seed, strength: 1.0).params
                XCTAssertEqual(try archetype.validate(params), params)
            }
        }
    }

    func testDifferentSeedsGiveDifferentMutations() throws {
        for archetype in Archetypes.all {
            let hashes = try Set(seeds.prefix(50).map {
                try Mutation.mutate(archetype.defaults, of: archetype, seed: $0, strength: Mutation.Strength.evolve).params.hash
            })
            XCTAssertGreaterThan(hashes.count, 40, "\(archetype.slug): seeds collide too often")
        }
    }

    /// An improvement candidate stays near the current parameters.
    func testImproveStrengthMovesLessThanEvolve() throws {
        let archetype = try XCTUnwrap(Archetypes.named("orb-15-mnq-5m"))
        func spread(_ strength: Double) throws -> Double {
            var total = 0.0
            for seed in seeds {
                let mutation = try Mutation.mutate(archetype.defaults, of: archetype, seed: seed, strength: strength)
                if let change = mutation.changes["target_r"], case .number(let from) = change.from,
                   case .number(let to) = change.to { total += abs(to - from) }
            }
            return total
        }
        XCTAssertLessThan(try spread(Mutation.Strength.improve), try spread(Mutation.Strength.evolve))
    }

    func testInvalidInputIsRefused() throws {
        let archetype = try XCTUnwrap(Archetypes.named("ema-cross-mym-5m"))
        var params = archetype.defaults
        params["fast"] = 500
        XCTAssertThrowsError(try Mutation.mutate(params, of: archetype, seed: 1, strength: 0.35)) { error in
            XCTAssertEqual((error as? ParamsError)?.code, .outOfBounds)
        }
    }

    func testChangesEncodeAsFromTo() throws {
        let archetype = try XCTUnwrap(Archetypes.named("gap-fade-es-5m"))
        let mutation = try Mutation.mutate(archetype.defaults, of: archetype, seed: 42, strength: 0.35)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(mutation.changes), as: UTF8.self)
        for (name, change) in mutation.changes {
            XCTAssertTrue(json.contains("\"\(name)\":{\"from\":\(change.from),\"to\":\(change.to)}"), json)
        }
    }
}
