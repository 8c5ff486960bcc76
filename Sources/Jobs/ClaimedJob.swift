import Backtest
import Foundation
import Postgres

/// One row returned by `claim_jobs`: the job this worker now holds a lease on,
/// with the bot facts and settings an executor needs, so it never reads `bots`
/// or `settings` itself.
public struct ClaimedJob: Sendable, Equatable {
    public let id: UUID
    public let botID: UUID?
    public let type: String
    /// 1 on the first claim; passed back with complete/fail so a stale worker is refused.
    public let attempt: Int
    public let traceID: UUID
    /// The job's `payload` as JSON text (`{}` when empty).
    public let payload: String
    public let leaseExpiresAt: Date
    public let archetypeSlug: String?
    public let instrument: String?
    public let timeframe: String?
    /// The bot's `params` as JSON text.
    public let params: String?
    public let paramsHash: String?
    public let iteration: Int?
    public let generation: Int?
    /// `settings.simulated_equity`: the engine's starting equity.
    public let startingEquity: Double
    /// `settings.baseline_trading_days`: sessions a baseline covers.
    public let baselineTradingDays: Int
    /// IMPROVE only: candidates already recorded at the bot's next iteration.
    public let trials: Int?
    /// The lease this claim holds (the kind's, else `settings.job_lease_seconds`).
    public let leaseSeconds: Int
    /// How a baseline is researched: `settings.walk_forward_folds`, `walk_forward_mode`,
    /// `bootstrap_resamples`, `bootstrap_block_sessions`, and trials = `lineage_trials`
    /// (backtest and improve kinds; 1 for others).
    public let walkForward: WalkForwardSpec
    /// EVOLVE: the lineage's step scale and tried configurations (neutral for other kinds).
    public let evolution: EvolutionSpec

    public init(row: Row) throws {
        id = try row.decode("job_id")
        botID = try row.decodeIfPresent("bot_id")
        type = try row.decode("job_type")
        attempt = try row.decode("attempt")
        traceID = try row.decode("trace_id")
        payload = try row.decodeIfPresent("payload") ?? "{}"
        leaseExpiresAt = try row.decode("lease_expires_at")
        archetypeSlug = try row.decodeIfPresent("archetype_slug")
        instrument = try row.decodeIfPresent("instrument")
        timeframe = try row.decodeIfPresent("timeframe")
        params = try row.decodeIfPresent("params")
        paramsHash = try row.decodeIfPresent("params_hash")
        iteration = try row.decodeIfPresent("iteration")
        generation = try row.decodeIfPresent("generation")
        startingEquity = try row.decode("starting_equity")
        baselineTradingDays = try row.decode("baseline_trading_days")
        trials = try row.decodeIfPresent("trials")
        leaseSeconds = try row.decode("lease_seconds")
        let mode: String = try row.decode("walk_forward_mode")
        guard let foldMode = WalkForwardSpec.Mode(rawValue: mode) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "walk_forward_mode \(mode)"))
        }
        walkForward = WalkForwardSpec(
            folds: try row.decode("walk_forward_folds"), mode: foldMode,
            trials: max(1, try row.decodeIfPresent("lineage_trials") ?? 1),
            resamples: try row.decode("bootstrap_resamples"), blockLength: try row.decode("bootstrap_block_sessions"))
        evolution = try EvolutionSpec.decode(try row.decodeIfPresent("evolution"))
    }
}
