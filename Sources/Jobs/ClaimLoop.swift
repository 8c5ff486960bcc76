import Foundation
import Logging
import Postgres

/// One worker slot: claim, execute, report, repeat, on one thread with its own
/// connection. An idle slot sleeps until the listener wakes it or the poll
/// interval passes, so a lost notification only costs latency.
final class ClaimLoop {
    let slot: Int
    let worker: Worker
    private var logger: Logger
    private var connection: Connection?

    init(slot: Int, worker: Worker) {
        self.slot = slot
        self.worker = worker
        logger = worker.logger
        logger[metadataKey: "slot"] = "\(slot)"
    }

    func run() {
        while !worker.isStopping {
            let seen = worker.wake.generation
            let jobs: [ClaimedJob]
            do {
                jobs = try claimNext()
            } catch {
                logger.error("claim failed", metadata: ["error": "\(error)"])
                worker.wake.wait(since: worker.wake.generation, timeout: worker.configuration.pollInterval)
                continue
            }
            if jobs.isEmpty {
                worker.wake.wait(since: seen, timeout: worker.configuration.pollInterval)
                continue
            }
            let pending = acknowledgeInstant(jobs)
            for job in pending {
                // Once stopping, jobs of a batch not yet begun are left for the release.
                if worker.isStopping { break }
                run(job)
            }
        }
    }

    private func connect() throws -> Connection {
        if let connection { return connection }
        let opened = try Connection(worker.options(role: "slot-\(slot)"))
        connection = opened
        return opened
    }

    private func claimNext() throws -> [ClaimedJob] {
        let queue = JobQueue(try connect())
        for round in worker.plan.rounds {
            let jobs = try queue.claim(worker: worker.identity.id, kinds: round.kinds, limit: round.limit)
            if !jobs.isEmpty {
                worker.leases.hold(jobs)
                return jobs
            }
        }
        return []
    }

    /// Completes the claimed jobs that are done on claim in one statement;
    /// returns the jobs still to run (all of them if the batch was refused, so
    /// each is then settled, and a lost lease reported, one by one).
    private func acknowledgeInstant(_ jobs: [ClaimedJob]) -> [ClaimedJob] {
        let instant = jobs.filter { worker.plan.executors[JobKind(rawValue: $0.type)]?.completesOnClaim ?? false }
        guard instant.count > 1, let connection = try? connect() else { return jobs }
        let ids = Set(instant.map(\.id))
        guard !ids.contains(where: worker.leases.isLost) else { return jobs }
        do {
            try JobQueue(connection).completeAll(instant, worker: worker.identity.id)
        } catch {
            return jobs
        }
        for id in ids { worker.leases.finish(id) }
        return jobs.filter { !ids.contains($0.id) }
    }

    private func run(_ job: ClaimedJob) {
        var logger = self.logger
        logger[metadataKey: "trace_id"] = "\(job.traceID)"
        logger[metadataKey: "job_id"] = "\(job.id)"
        logger[metadataKey: "job_type"] = "\(job.type)"
        logger[metadataKey: "attempt"] = "\(job.attempt)"
        defer { worker.leases.finish(job.id) }
        guard !worker.leases.isLost(job.id) else { return }
        let connection: Connection
        do {
            connection = try connect()
        } catch {
            logger.error("no database connection for the job; its lease will expire", metadata: ["error": "\(error)"])
            return
        }
        let outcome: JobOutcome
        if let executor = worker.plan.executors[JobKind(rawValue: job.type)] {
            logger.log(level: executor.jobLogLevel, "job started")
            outcome = executor.execute(job, context: JobContext(logger: logger, workerID: worker.identity.id))
        } else {
            // claim_jobs returned a type this worker did not ask for: a contract breach.
            outcome = JobOutcome(.failed(JobFailure(code: "NO_EXECUTOR", message: "worker has no executor for \(job.type)",
                                                    suggestedFix: nil, retryable: true)))
        }
        report(outcome, of: job, queue: JobQueue(connection), logger: logger)
    }

    /// Usage first (so failed fetches count too), then the one status change.
    private func report(_ outcome: JobOutcome, of job: ClaimedJob, queue: JobQueue, logger: Logger) {
        if !outcome.usage.isEmpty {
            do {
                try queue.recordUsage(job: job.id, usage: outcome.usage)
            } catch {
                logger.error("could not record provider usage", metadata: ["error": "\(error)"])
            }
        }
        if worker.leases.isLost(job.id) {
            logger.warning("lease lost while running; result dropped")
            return
        }
        let level = worker.plan.executors[JobKind(rawValue: job.type)]?.jobLogLevel ?? .info
        do {
            let record: any JobResult
            switch outcome.result {
            case .failed(let failure):
                try reportFailure(failure, of: job, queue: queue, logger: logger)
                return
            case .completed(let completed):
                record = completed
            }
            let result = try JSONText(encoding: record)
            var recorded = record.logSummary
            // Every kind completes through the one entry point; its recorder answers.
            switch try refusalsAsFailures(of: job, queue: queue, logger: logger, {
                try queue.complete(job, worker: worker.identity.id, result: result)
            }) {
            case .recorded(let document?):
                recorded["recorded"] = "\(document)"
                logger.log(level: level, "job completed", metadata: recorded)
            case .recorded(nil): break
            case .leaseLost: logger.warning("lease lost before the result was recorded; result dropped")
            }
        } catch {
            // The outcome may not be recorded; the lease expires and the rescuer retries.
            logger.error("could not report the job's outcome", metadata: ["error": "\(error)"])
        }
    }

    private func reportFailure(_ failure: JobFailure, of job: ClaimedJob, queue: JobQueue, logger: Logger) throws {
        switch try queue.fail(job, worker: worker.identity.id, failure: failure) {
        case .recorded(let status):
            logger.warning("job failed", metadata: [
                "error_code": "\(failure.code)", "error": "\(failure.message)",
                "retryable": "\(failure.retryable)", "status": "\(status)",
            ])
        case .leaseLost:
            logger.warning("lease lost before the failure was recorded", metadata: ["error_code": "\(failure.code)"])
        }
    }

    /// A completion the SQL refused by a rule (P0001 other than LEASE_LOST, e.g.
    /// `POPULATION_CAP`, or 22023 `INVALID_RESULT`) wrote nothing and left the job
    /// RUNNING: it is recorded as the job's final failure instead (another attempt
    /// would meet the same rule), and `.recorded(nil)` says so.
    private func refusalsAsFailures<Value>(of job: ClaimedJob, queue: JobQueue, logger: Logger,
                                           _ complete: () throws -> JobQueue.Settlement<Value>) throws
        -> JobQueue.Settlement<Value?> {
        do {
            switch try complete() {
            case .recorded(let value): return .recorded(value)
            case .leaseLost: return .leaseLost
            }
        } catch let refusal as PostgresError where refusal.sqlState == "P0001" || refusal.sqlState == "22023" {
            try reportFailure(JobFailure(code: refusal.message, message: refusal.detail ?? refusal.message,
                                         suggestedFix: refusal.hint, retryable: false),
                              of: job, queue: queue, logger: logger)
            return .recorded(nil)
        }
    }
}
