/// The claim calls a slot makes: job types grouped by executor, slow kinds first
/// and one at a time, so a batch of no-ops never queues behind a backtest and a
/// slot never hoards backtests it cannot start yet.
struct ClaimPlan: Sendable {
    struct Round: Sendable {
        let types: [JobType]
        let limit: Int
    }

    let rounds: [Round]
    let executors: [JobType: any JobExecutor]

    init(types: [JobType], executors: [any JobExecutor]) throws(WorkerError) {
        var byType: [JobType: any JobExecutor] = [:]
        var rounds: [Round] = []
        for executor in executors {
            let served = executor.jobTypes.filter { types.contains($0) && byType[$0] == nil }
            guard !served.isEmpty else { continue }
            for type in served { byType[type] = executor }
            rounds.append(Round(types: served, limit: executor.claimBatchSize))
        }
        if let missing = types.first(where: { byType[$0] == nil }) {
            throw WorkerError(code: "NO_EXECUTOR", message: "this worker has no executor for \(missing.rawValue) jobs",
                              suggestedFix: "leave \(missing.rawValue) out of --types")
        }
        guard !rounds.isEmpty else {
            throw WorkerError(code: "NO_JOB_TYPES", message: "the worker was given no job types to run",
                              suggestedFix: "pass --types, e.g. BACKTEST_BASELINE,BACKTEST_REFRESH,NOOP")
        }
        self.rounds = rounds.sorted { $0.limit < $1.limit }
        self.executors = byType
    }
}
