import Logging
import Backtest

/// The `p_result` of `complete_leased_job` for IMPROVE (`record_improvement`, docs/autonomy.md): the candidate,
/// both comparisons, the decision, and the candidate's out-of-sample session with
/// its trades in `record_backtest`'s shape, so the proof shows every iteration
/// tried — adopted or not.
public struct ImprovementRecord: Sendable, Encodable {
    /// The current and the candidate parameters on one window.
    public struct Comparison: Sendable, Equatable, Encodable {
        public let current: ImprovementScore
        public let candidate: ImprovementScore

        public init(current: ImprovementScore, candidate: ImprovementScore) {
            self.current = current
            self.candidate = candidate
        }

        public var candidateWins: Bool { candidate.beats(current) }
    }

    public let adopted: Bool
    /// The candidate's complete, validated parameters.
    public let params: ParamValues
    public let paramsHash: String
    /// The iteration the candidate was tried as (the SQL's `bots.iteration + 1` is authoritative).
    public let iteration: Int
    public let inSample: Comparison
    public let outOfSample: Comparison
    public let mutation: [String: Mutation.Change]
    /// The mutation seed in hex, and the try it was derived for (see ImproveExecutor).
    public let seed: String
    public let trial: Int
    public let session: BacktestRecord.Session
    public let trades: [BacktestRecord.TradeRow]

    /// Adopted only when the candidate wins on both windows.
    public init(candidate: Mutation, iteration: Int, inSample: Comparison, outOfSample: Comparison,
                seed: UInt64, trial: Int, outOfSampleSession: BacktestRecord) {
        adopted = inSample.candidateWins && outOfSample.candidateWins
        params = candidate.params
        paramsHash = candidate.params.hash
        self.iteration = iteration
        self.inSample = inSample
        self.outOfSample = outOfSample
        mutation = candidate.changes
        self.seed = String(seed, radix: 16)
        self.trial = trial
        session = outOfSampleSession.session
        trades = outOfSampleSession.trades
    }

    enum CodingKeys: String, CodingKey {
        case adopted, params, paramsHash = "params_hash", iteration, inSample = "in_sample",
             outOfSample = "out_of_sample", mutation, seed, trial, session, trades
    }
}

extension ImprovementRecord: JobResult {
    public var logSummary: Logger.Metadata { ["adopted": "\(adopted)", "params_hash": "\(paramsHash)"] }
}
