import Logging
import Backtest

/// The `p_result` of `complete_leased_job` for EVOLVE (`record_evolution`, docs/autonomy.md): the child's
/// parameters and what moved. The SQL creates the candidate, numbers its generation
/// and later judges it against the parent; Swift only says what the child is.
public struct EvolutionRecord: Sendable, Encodable {
    /// The child's complete, validated parameters.
    public let params: ParamValues
    public let paramsHash: String
    /// `{"name": {"from": x, "to": y}}` for each parameter that moved.
    public let mutation: [String: Mutation.Change]
    /// The child's generation the seed was derived for (the SQL's number is authoritative).
    public let generation: Int
    /// The mutation seed in hex (a JSON number cannot carry 64 bits), so the child
    /// can be reproduced with `Mutation.mutate`.
    public let seed: String
    public let strength: Double
    /// The lineage's step scale the strength was multiplied by (`evolve_step_scale`).
    public let stepScale: Double

    public init(mutation: Mutation, generation: Int, seed: UInt64, strength: Double, stepScale: Double = 1) {
        params = mutation.params
        paramsHash = mutation.params.hash
        self.mutation = mutation.changes
        self.generation = generation
        self.seed = String(seed, radix: 16)
        self.strength = strength
        self.stepScale = stepScale
    }

    enum CodingKeys: String, CodingKey {
        case params, paramsHash = "params_hash", mutation, generation, seed, strength, stepScale = "step_scale"
    }
}

extension EvolutionRecord: JobResult {
    public var logSummary: Logger.Metadata {
        ["params_hash": "\(paramsHash)", "changed": "\(mutation.keys.sorted().joined(separator: ","))"]
    }
}
