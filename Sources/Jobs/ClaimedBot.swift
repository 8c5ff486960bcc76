import Backtest
import Foundation
import Market

/// The bot of a claimed job resolved into engine types: its archetype, instrument,
/// bar width and complete, validated parameters. Evolution and improvement start
/// here; a bot the engine cannot run fails the job once, never retried, because
/// another attempt would meet the same row.
struct ClaimedBot {
    let id: UUID
    let archetype: Archetype
    let instrument: Instrument
    let timeframe: Timeframe
    /// The bot's params with the archetype's defaults filled in.
    let params: ParamValues
    let generation: Int
    /// `settings.simulated_equity`, from the claim row.
    let startingEquity: Double

    init(_ job: ClaimedJob) throws(JobFailure) {
        guard let id = job.botID else {
            throw JobFailure(code: "BOT_REQUIRED", message: "a \(job.type) job needs a bot", retryable: false)
        }
        guard let slug = job.archetypeSlug, let archetype = Archetypes.named(slug) else {
            throw JobFailure(code: "UNKNOWN_ARCHETYPE",
                             message: "the bot's archetype \(job.archetypeSlug ?? "(none)") has no engine implementation",
                             suggestedFix: "use one of the starter archetypes (gauntlet backtest --list)", retryable: false)
        }
        guard let symbol = job.instrument, let instrument = Instruments.spec(symbol) else {
            throw JobFailure(code: "UNKNOWN_INSTRUMENT",
                             message: "the bot's instrument \(job.instrument ?? "(none)") has no contract spec",
                             suggestedFix: "use a supported futures root such as MNQ, MES, ES or CL", retryable: false)
        }
        guard let width = job.timeframe, let timeframe = Timeframe(rawValue: width) else {
            throw JobFailure(code: "UNKNOWN_TIMEFRAME", message: "the bot's timeframe \(job.timeframe ?? "(none)") is not supported",
                             suggestedFix: "use 1m, 5m, 15m or 1h", retryable: false)
        }
        do throws(ParamsError) {
            params = try archetype.params(fromJSON: job.params)
        } catch {
            throw JobFailure(code: error.code.rawValue, message: error.message,
                             suggestedFix: "fix the bot's params within the bounds of \(archetype.slug) (docs/archetypes.md)",
                             retryable: false)
        }
        self.id = id
        generation = job.generation ?? 1
        startingEquity = job.startingEquity
        self.archetype = archetype
        self.instrument = instrument
        self.timeframe = timeframe
    }
}
