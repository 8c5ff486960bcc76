import Foundation
import Jobs
import Logging
import Postgres

/// The fleet's runner (`gauntlet runner` without `--bot`): every PAPER bot that the
/// planner gave a RUNNER_START job is traded by whichever runner claims the job.
/// About once a second it
///   * heartbeats the jobs it holds (their leases are 30 s: a dead runner's jobs are
///     rescued and claimed again, and the next runner resumes their ledgers);
///   * stops the session of a job it lost (rescued, cancelled), whose bot is no longer
///     an ACTIVE PAPER bot (LEFT_PAPER) or adopted new params (PARAMS_CHANGED), and
///     completes that job {exit_reason, …} — or fails it when the session failed;
///   * claims new RUNNER_START jobs, up to `maxBots` sessions — a bot whose account
///     another runner holds fails its job ALREADY_RUNNING (retried);
///   * runs the watchdog.
/// With no job it idles. On SIGTERM (or `--duration`) every session shuts down
/// gracefully and the jobs go back to the queue (`release_jobs`), so the next runner
/// picks them up at once.
final class RunnerFleet {
    let runner: PaperRunner
    let queue: JobQueue
    let worker: String
    private var sessions: [UUID: Running] = [:]
    private let watchdog: Watchdog
    private let reports = Reports()

    private final class Running: @unchecked Sendable {
        let job: ClaimedJob
        let bot: PaperLedger.Bot
        let control = SessionControl()
        private let lock = NSLock()
        private var finished: [String: Any]?

        init(job: ClaimedJob, bot: PaperLedger.Bot) {
            self.job = job
            self.bot = bot
        }

        func finish(_ report: [String: Any]) { lock.withLock { finished = report } }
        var report: [String: Any]? { lock.withLock { finished } }
    }

    init(runner: PaperRunner, connection: Connection) {
        self.runner = runner
        queue = JobQueue(connection)
        worker = "runner:\(WorkerIdentity(slots: 1).id)"
        watchdog = Watchdog(limit: runner.configuration.watchdog, logger: runner.logger)
    }

    private var logger: Logger { runner.logger }

    func run() throws -> [[String: Any]] {
        logger.notice("runner started", metadata: ["worker": "\(worker)", "max_bots": "\(runner.configuration.maxBots)"])
        var idleLogged = false
        while !runner.shouldStop {
            do {
                try keepHeld()
                try reap()
                try claim()
            } catch {
                // The database went away (a restart): the sessions go on with their own
                // connections; held jobs keep their leases until the next heartbeat.
                logger.error("runner loop", metadata: ["worker": "\(worker)", "error": "\(error)"])
                runner.pause(2)
            }
            if sessions.isEmpty, !idleLogged {
                logger.info("no PAPER bot to trade: idle", metadata: ["worker": "\(worker)"])
            }
            idleLogged = sessions.isEmpty
            watchdog.check()
            runner.pause(1)
        }
        // Graceful shutdown: every session stops, then its job goes back to the queue.
        for running in sessions.values { running.control.stop(runner.stopReason) }
        while sessions.values.contains(where: { $0.report == nil }) {
            watchdog.check()
            Thread.sleep(forTimeInterval: 0.1)
        }
        let held = sessions.values.map(\.job.id)
        if !held.isEmpty { try queue.release(worker: worker, jobs: held) }
        for running in sessions.values { reports.append(running.report ?? [:]) }
        return reports.all
    }

    /// Heartbeats the held jobs; stops the sessions of jobs lost or of bots that left PAPER.
    private func keepHeld() throws {
        let live = sessions.filter { $0.value.report == nil }
        guard !live.isEmpty else { return }
        let ids = Array(live.keys)
        _ = try queue.heartbeat(worker: worker, jobs: ids)
        // One read after the beat: which jobs this runner still holds, and their bots.
        for row in try queue.connection.query("""
            select j.id, j.status = 'RUNNING' and j.worker_id = $2 as held,
                   b.status = 'ACTIVE' and b.stage = 'PAPER' as in_paper, b.iteration
              from bot_jobs j join bots b on b.id = j.bot_id where j.id = any($1::uuid[])
            """, [ids, worker]).rows {
            guard let running = live[try row.decode("id") as UUID] else { continue }
            if !(try row.decode("held") as Bool) {
                running.control.stop("JOB_LOST")
            } else if !(try row.decode("in_paper") as Bool) {
                running.control.stop("LEFT_PAPER")
            } else if try row.decode("iteration") as Int != running.bot.iteration {
                // An adopted improvement: the session trades the old params, so it ends and
                // the planner's next RUNNER_START trades the new ones.
                running.control.stop("PARAMS_CHANGED")
            }
        }
    }

    /// Completes the jobs of sessions that ended on their own (not on SIGTERM, whose
    /// jobs are released) and forgets them.
    private func reap() throws {
        for (id, running) in sessions {
            guard let report = running.report else { continue }
            sessions[id] = nil
            watchdog.forget(running.control)
            reports.append(report)
            if report["exit_status"] as? String == "FAILED" {
                // A session that could not trade (no provider key, an unknown spec …) fails
                // its job with the reason, so the failure is on record and retried.
                let error = (report["errors"] as? [String])?.last ?? "the session failed"
                let prefix = error.split(separator: ":").first.map(String.init) ?? ""
                let code = prefix.range(of: "^[A-Z][A-Z0-9_]*$", options: .regularExpression) != nil ? prefix : "SESSION_FAILED"
                _ = try queue.fail(running.job, worker: worker, failure: JobFailure(
                    code: code, message: error,
                    suggestedFix: "see the runner log for the session's error", retryable: true))
                logger.error("runner job failed", metadata: ["bot": "\(running.bot.name)", "error": "\(error)"])
                continue
            }
            let result = try JSONText(encoding: ReportSummary(report))
            switch try queue.complete(running.job, worker: worker, result: result) {
            case .recorded: logger.info("runner job completed", metadata: ["bot": "\(running.bot.name)",
                                                                           "exit_reason": "\(report["exit_reason"] ?? "")"])
            case .leaseLost: break
            }
        }
    }

    private func claim() throws {
        let room = runner.configuration.maxBots - sessions.count
        guard room > 0, !runner.shouldStop else { return }
        for job in try queue.claim(worker: worker, kinds: [JobKind(rawValue: "RUNNER_START")], limit: room) {
            guard let botId = job.botID, let bot = try PaperLedger(queue.connection).bots(only: botId).first else { continue }
            let ledger = PaperLedger(try Connection(runner.configuration.database))
            let account = try ledger.account(for: bot)
            guard try ledger.lock(account: account) else {
                _ = try queue.fail(job, worker: worker, failure: JobFailure(
                    code: "ALREADY_RUNNING", message: "another runner holds \(bot.name)'s paper account",
                    suggestedFix: "stop the other runner (gauntlet runner --bot) or let it finish", retryable: true))
                continue
            }
            let running = Running(job: job, bot: bot)
            sessions[job.id] = running
            logger.notice("runner job claimed", metadata: ["bot": "\(bot.name)", "job": "\(job.id.uuidString.lowercased())"])
            let session = PaperSession(bot: bot, account: account, ledger: ledger, runner: runner, control: running.control)
            watchdog.watch(running.control, name: bot.name)
            Thread.detachNewThread { [watchdog] in
                let report = session.run()
                watchdog.forget(running.control)
                running.finish(report)
            }
        }
    }
}

/// What a completed RUNNER_START job records: the session's exit and headline figures.
private struct ReportSummary: Encodable {
    let runId: String?
    let exitStatus: String?
    let exitReason: String?
    let netPnl: Double?
    let trades: Int?

    init(_ report: [String: Any]) {
        runId = report["run_id"] as? String
        exitStatus = report["exit_status"] as? String
        exitReason = report["exit_reason"] as? String
        netPnl = report["net_pnl"] as? Double
        trades = report["trades"] as? Int
    }
}
