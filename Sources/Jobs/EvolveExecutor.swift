import Backtest
import Foundation
import Postgres

/// Runs EVOLVE: a Gen+1 child of the job's bot with deterministically mutated
/// parameters (seed = parent id + child generation, `Mutation.Strength.evolve`),
/// handed to `record_evolution` (through `complete_leased_job`), which creates the child, queues its baseline and
/// supersedes the parent — or refuses (`POPULATION_CAP`, `PARENT_NOT_ACTIVE`), which
/// the claim loop records as the job's failure. No bars and no backtest here: the
/// child proves itself through its own baseline.
public struct EvolveExecutor: JobExecutor {
    public var name: String { "evolve" }
    public var claimBatchSize: Int { 1 }

    public init() {}

    public func execute(_ job: ClaimedJob, context: JobContext) -> JobOutcome {
        do throws(JobFailure) {
            let bot = try ClaimedBot(job)
            let generation = bot.generation + 1
            let seed = Mutation.seed(bot.id, generation)
            let mutation: Mutation
            do throws(ParamsError) {
                mutation = try Mutation.mutate(bot.params, of: bot.archetype, seed: seed, strength: Mutation.Strength.evolve)
            } catch {
                throw JobFailure(code: error.code.rawValue, message: error.message,
                                 suggestedFix: "widen the archetype's bounds or evolve by hand", retryable: false)
            }
            context.logger.info("child parameters chosen", metadata: [
                "generation": "\(generation)", "params_hash": "\(mutation.params.hash)",
                "changed": "\(mutation.changes.keys.sorted().joined(separator: ","))",
            ])
            return JobOutcome(.completed(EvolutionRecord(mutation: mutation, generation: generation, seed: seed,
                                                         strength: Mutation.Strength.evolve)))
        } catch {
            return JobOutcome(.failed(error))
        }
    }
}
