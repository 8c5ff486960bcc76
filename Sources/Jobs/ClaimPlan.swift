/// The claim calls a slot makes: one per claim batch size, smallest first. Every kind
/// claimed one at a time (backtests, evolution, grid plans, research cells) is asked
/// for in one call, so a slot never hoards slow jobs it cannot start yet and an idle
/// slot asks once, not once per executor (a research cell used to cost four empty
/// claims before its own); the batched kinds (no-ops) come after, so a batch of them
/// never queues behind a backtest. Built from `job_kinds` (which executor runs which
/// kind) when the worker starts.
struct ClaimPlan: Sendable {
    struct Round: Sendable {
        let kinds: [JobKind]
        let limit: Int
    }

    let rounds: [Round]
    let executors: [JobKind: any JobExecutor]
    /// Before `job_kinds` was read: claims nothing.
    static let empty = ClaimPlan(rounds: [], executors: [:])
    var kinds: [JobKind] { rounds.flatMap(\.kinds) }

    /// - Parameters:
    ///   - table: `job_kinds` as (kind, executor name) for kinds that have one.
    ///   - only: the kinds the operator asked for (`--types`); nil = every kind this worker can run.
    init(table: [(kind: JobKind, executor: String)], only: [JobKind]?, executors: [any JobExecutor]) throws(WorkerError) {
        let byName = Dictionary(executors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let runnable = Dictionary(table.compactMap { row in byName[row.executor].map { (row.kind, $0) } },
                                  uniquingKeysWith: { first, _ in first })
        if let only, let missing = only.first(where: { runnable[$0] == nil }) {
            let known = table.contains { $0.kind == missing }
            throw WorkerError(code: known ? "NO_EXECUTOR" : "UNKNOWN_JOB_KIND",
                              message: known ? "this worker has no executor for \(missing) jobs"
                                             : "\(missing) is not a job kind (job_kinds)",
                              suggestedFix: "leave \(missing) out of --types")
        }
        let wanted = table.map(\.kind).filter { kind in runnable[kind] != nil && (only?.contains(kind) ?? true) }
        var kindsByLimit: [Int: [JobKind]] = [:]
        for executor in executors {
            kindsByLimit[executor.claimBatchSize, default: []] += wanted.filter { runnable[$0]?.name == executor.name }
        }
        let rounds = kindsByLimit.filter { !$0.value.isEmpty }.map { Round(kinds: $0.value, limit: $0.key) }
        guard !rounds.isEmpty else {
            throw WorkerError(code: "NO_JOB_TYPES", message: "the worker has no job kinds to run",
                              suggestedFix: "pass --types with kinds from job_kinds, e.g. BACKTEST_BASELINE,NOOP")
        }
        self.init(rounds: rounds.sorted { $0.limit < $1.limit }, executors: runnable.filter { wanted.contains($0.key) })
    }

    private init(rounds: [Round], executors: [JobKind: any JobExecutor]) {
        self.rounds = rounds
        self.executors = executors
    }
}
