import Backtest
import Foundation
import Postgres

/// Runs EVOLVE: a Gen+1 candidate of the job's bot with deterministically mutated
/// parameters (seed = parent id + child generation + attempt; strength =
/// `Mutation.Strength.evolve` × the lineage's step scale), skipping any
/// configuration the lineage already tried, handed to `record_evolution` (through
/// `complete_leased_job`), which creates the candidate and queues its baseline on
/// the parent's window — or refuses (`POPULATION_CAP`, `PARENT_NOT_ACTIVE`,
/// `CANDIDATE_PENDING`, …), which the claim loop records as the job's failure. When
/// `attempts` draws all repeat tried configurations the job fails `PARAMS_EXHAUSTED`
/// (the planner then holds the bot back). No bars and no backtest here: the
/// candidate proves itself through its own baseline.
public struct EvolveExecutor: JobExecutor {
    /// Draws before a lineage counts as exhausted around this bot's parameters.
    static let attempts = 32

    public var name: String { "evolve" }
    public var claimBatchSize: Int { 1 }

    public init() {}

    public func execute(_ job: ClaimedJob, context: JobContext) -> JobOutcome {
        do throws(JobFailure) {
            let bot = try ClaimedBot(job)
            let generation = bot.generation + 1
            let strength = Mutation.Strength.evolve * job.evolution.stepScale
            for attempt in 0..<Self.attempts {
                let seed = attempt == 0 ? Mutation.seed(bot.id, generation) : Mutation.seed(bot.id, generation, attempt)
                let mutation: Mutation
                do throws(ParamsError) {
                    mutation = try Mutation.mutate(bot.params, of: bot.archetype, seed: seed, strength: strength)
                } catch {
                    throw JobFailure(code: error.code.rawValue, message: error.message,
                                     suggestedFix: "widen the archetype's bounds or evolve by hand", retryable: false)
                }
                if job.evolution.triedParamsHashes.contains(mutation.params.hash) { continue }
                context.logger.info("child parameters chosen", metadata: [
                    "generation": "\(generation)", "params_hash": "\(mutation.params.hash)", "attempt": "\(attempt)",
                    "step_scale": "\(job.evolution.stepScale)",
                    "changed": "\(mutation.changes.keys.sorted().joined(separator: ","))",
                ])
                return JobOutcome(.completed(EvolutionRecord(mutation: mutation, generation: generation, seed: seed,
                                                             strength: strength, stepScale: job.evolution.stepScale)))
            }
            throw JobFailure(code: "PARAMS_EXHAUSTED",
                             message: "\(Self.attempts) mutations of this bot all repeat configurations its lineage tried "
                                 + "(\(job.evolution.triedParamsHashes.count) so far)",
                             suggestedFix: "widen the archetype's bounds, or let the lineage rest", retryable: false)
        } catch {
            return JobOutcome(.failed(error))
        }
    }
}
