/// The kinds of work in `bot_jobs.job_type` (docs/jobs.md). Raw values are the SQL spelling.
public enum JobType: String, Sendable, CaseIterable, Hashable {
    case backtestBaseline = "BACKTEST_BASELINE"
    case backtestRefresh = "BACKTEST_REFRESH"
    case improve = "IMPROVE"
    case evolve = "EVOLVE"
    case grid = "GRID"
    case runnerStart = "RUNNER_START"
    /// Does nothing; exists so the queue itself can be tested and benchmarked.
    case noop = "NOOP"
}
