import Foundation

/// What an EVOLVE needs to know of its lineage (`claim_jobs.evolution`): how far to
/// step (`evolve_step_scale`: wider after rejected children, narrower after accepted
/// ones) and which configurations were already tried (`lineage_params_hashes`), so a
/// child is never a repeat.
public struct EvolutionSpec: Sendable, Equatable, Decodable {
    /// Multiplies `Mutation.Strength.evolve`.
    public let stepScale: Double
    public let triedParamsHashes: Set<String>

    public init(stepScale: Double = 1, triedParamsHashes: Set<String> = []) {
        self.stepScale = stepScale
        self.triedParamsHashes = triedParamsHashes
    }

    enum CodingKeys: String, CodingKey {
        case stepScale = "step_scale", triedParamsHashes = "tried_params_hashes"
    }

    /// The claim row's `evolution` JSON; the neutral spec when absent.
    static func decode(_ json: String?) throws -> EvolutionSpec {
        guard let json else { return EvolutionSpec() }
        return try JSONDecoder().decode(EvolutionSpec.self, from: Data(json.utf8))
    }
}
