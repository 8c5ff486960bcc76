import Logging
import Backtest

/// The `p_result` of `complete_leased_job` for EVOLVE (`record_evolution`, docs/autonomy.md): the child's
/// parameters and what moved. The SQL creates the child, numbers its generation
/// and supersedes the parent; Swift only says what the child is.
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

    public init(mutation: Mutation, generation: Int, seed: UInt64, strength: Double) {
        params = mutation.params
        paramsHash = mutation.params.hash
        self.mutation = mutation.changes
        self.generation = generation
        self.seed = String(seed, radix: 16)
        self.strength = strength
    }

    enum CodingKeys: String, CodingKey {
        case params, paramsHash = "params_hash", mutation, generation, seed, strength
    }
}

extension EvolutionRecord: JobResult {
    public var logSummary: Logger.Metadata {
        ["params_hash": "\(paramsHash)", "changed": "\(mutation.keys.sorted().joined(separator: ","))"]
    }
}
