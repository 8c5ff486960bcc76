import Foundation
import Logging
import Market

/// What a session's loop shares with whoever runs it: a request to stop (and why), and
/// the time its loop last went round, which the runner's watchdog reads.
final class SessionControl: @unchecked Sendable {
    private let lock = NSLock()
    private var reason: String?
    private var progress = Date()

    /// Asks the loop to stop gracefully with `reason` (the first reason wins).
    func stop(_ reason: String) { lock.withLock { if self.reason == nil { self.reason = reason } } }
    var stopReason: String? { lock.withLock { reason } }
    func tick() { lock.withLock { progress = Date() } }
    var lastProgress: Date { lock.withLock { progress } }
}

/// One bot's paper session, start to report, on its own thread and connection (whose
/// session lock on the account it already holds): resumes a crashed run if the account
/// has one, streams bars through a `StreamMonitor` into its `BotSession`, heartbeats
/// about once a second (row, log line, metrics.csv row), and at the end — a stop
/// request, the deadline, the stream's end, data silent too long — shuts down
/// gracefully and writes the report and the run's files (`RunArtifacts`).
struct PaperSession: @unchecked Sendable {  // moves to its thread, then its only user
    let bot: PaperLedger.Bot
    let account: UUID
    let ledger: PaperLedger
    let runner: PaperRunner
    let control: SessionControl

    private var configuration: PaperRunner.Configuration { runner.configuration }
    private var logger: Logger { runner.logger }

    func run() -> [String: Any] {
        let started = Date()
        var report: [String: Any] = ["bot": bot.name, "bot_id": bot.id.uuidString.lowercased(), "source": configuration.source]
        var errors: [String] = []
        var status = "COMPLETED", exitReason = "DURATION"
        var staleEvents = 0, gapEvents = 0, missingBars = 0, longestHeartbeatGap = 0.0
        var bookingMillis: [Double] = []
        do {
            let crashed = try ledger.unfinishedRun(account: account)
            let feed = try runner.makeFeed(for: bot, resuming: crashed)
            var config: [String: Any] = ["source": configuration.source, "bar_seconds": configuration.barSeconds,
                                         "stale_after": configuration.staleAfter, "stop_after": configuration.stopAfter,
                                         "watchdog": configuration.watchdog,
                                         "bot": bot.name, "bot_id": bot.id.uuidString.lowercased(),
                                         "archetype": bot.archetype, "instrument": bot.instrument,
                                         "timeframe": bot.timeframe, "params": bot.params, "env": "paper"]
            config["duration"] = configuration.duration
            config["volume_share"] = configuration.volumeShare
            config["market_start"] = feed.marketStart
            config["resumed_from"] = crashed?.run.uuidString.lowercased()
            let stream = feed.stream
            let run = try ledger.startRun(account: account, bot: bot.id, source: stream.source, config: json(config))
            report["run_id"] = run.uuidString.lowercased()
            let files = try RunArtifacts(varDirectory: configuration.varDirectory, run: run, config: config)
            files.event("RUN_STARTED", ["source": stream.source, "bot": bot.name])
            let session = try BotSession(bot: bot, ledger: ledger, account: account, run: run,
                                         volumeShare: configuration.volumeShare)
            session.journal = { name, fields in files.event(name, fields) }
            if let crashed {
                let entries = try ledger.entries(of: crashed.run)
                try session.resume(history: feed.history, refused: entries.refused, working: entries.working,
                                   forcedExits: entries.forcedExits)
                try ledger.closeCrashed(account: account, resumedBy: run)
                report["resumed_from"] = crashed.run.uuidString.lowercased()
                let position = session.position.map { "\($0.side.rawValue) \($0.contracts)" } ?? "flat"
                files.event("RESUMED", ["crashed_run": crashed.run.uuidString.lowercased(),
                                        "bars_rebuilt": feed.history.count, "position": position])
                logger.notice("resuming a crashed run", metadata: [
                    "bot": "\(bot.name)", "crashed_run": "\(crashed.run.uuidString.lowercased())",
                    "bars_rebuilt": "\(feed.history.count)", "position": "\(position)",
                ])
            }
            let startingEquity = try ledger.figures(account: account).equity
            var monitor = StreamMonitor(for: stream, staleAfter: configuration.staleAfter, stopAfter: configuration.stopAfter)
            var lastHeartbeat = Date()
            // The account's session lock was taken on this connection's current session;
            // a reconnect (PostgreSQL restarted) lost it, so it is taken again — or, if
            // another runner has it by then, this session stops.
            var lockedGeneration = ledger.db.sessionGeneration
            let killFile = "\(configuration.varDirectory)/KILL"
            var stale = false
            trading: while control.stopReason == nil {
                control.tick()
                if let duration = configuration.duration, Date().timeIntervalSince(started) >= duration { break }
                if FileManager.default.fileExists(atPath: killFile), !(try ledger.killSwitchEngaged()) {
                    try ledger.engageKillSwitch(source: "file", reason: "\(killFile) exists")
                    files.event("KILL_SWITCH_ACTIVATED", ["source": "file"])
                    logger.warning("KILL_SWITCH_ACTIVATED", metadata: ["source": "file", "bot": "\(bot.name)"])
                }
                switch monitor.poll(stream, timeout: min(1, configuration.staleAfter / 2)) {
                case .bar(let bar, let missing):
                    if stale {
                        stale = false
                        session.entriesBlocked = false
                        files.event("DATA_RESUMED")
                        logger.notice("DATA_RESUMED", metadata: ["bot": "\(bot.name)"])
                    }
                    if missing > 0 {
                        gapEvents += 1
                        missingBars += missing
                        files.event("GAP_DETECTED", ["missing": missing, "before": isoUTC(bar.time)])
                        logger.warning("GAP_DETECTED", metadata: ["bot": "\(bot.name)", "missing": "\(missing)",
                                                                  "before": "\(isoUTC(bar.time))"])
                    }
                    let booking = Date()
                    do {
                        try session.onBar(bar)
                        bookingMillis.append(Date().timeIntervalSince(booking) * 1000)
                    } catch {
                        errors.append("\(error)")
                        try? ledger.countError(run: run)
                        files.event("ERROR", ["error": "\(error)"])
                        logger.error("bar not booked", metadata: ["bot": "\(bot.name)", "error": "\(error)"])
                    }
                case .invalid(let code, let detail):
                    errors.append("\(code): \(detail)")
                    try? ledger.countError(run: run)
                    files.event("BAR_INVALID", ["code": code, "detail": detail])
                    logger.error("BAR_INVALID", metadata: ["bot": "\(bot.name)", "code": "\(code)", "detail": "\(detail)"])
                case .stale(let seconds):
                    if !stale {
                        stale = true
                        staleEvents += 1
                        session.entriesBlocked = true
                        files.event("DATA_STALE", ["silent_seconds": Int(seconds)])
                        logger.warning("DATA_STALE", metadata: ["bot": "\(bot.name)", "silent_seconds": "\(Int(seconds))"])
                    }
                case .stop(let seconds):
                    status = "STOPPED"
                    exitReason = "DATA_STALE"
                    logger.warning("data silent too long: stopping", metadata: ["bot": "\(bot.name)",
                                                                                "silent_seconds": "\(Int(seconds))"])
                    break trading
                case .end:
                    exitReason = "STREAM_END"
                    break trading
                case .heartbeat, .quiet:
                    break
                }
                if Date().timeIntervalSince(lastHeartbeat) >= 1 {
                    longestHeartbeatGap = max(longestHeartbeatGap, Date().timeIntervalSince(lastHeartbeat))
                    lastHeartbeat = Date()
                    try? ledger.heartbeat(run: run)
                    if ledger.db.sessionGeneration != lockedGeneration {
                        if try ledger.lock(account: account) {
                            lockedGeneration = ledger.db.sessionGeneration
                            files.event("ACCOUNT_LOCK_RETAKEN")
                            logger.warning("the database session was lost: account lock taken again", metadata: ["bot": "\(bot.name)"])
                        } else {
                            // Not a graceful stop: the other runner owns the ledger now (and
                            // will close this run as crashed), so nothing more is written.
                            throw PaperError(code: "LOCK_LOST", message: "the database session was lost and another runner holds \(bot.name)'s account")
                        }
                    }
                    let figures = try? ledger.figures(account: account)
                    let counts = session.counts
                    let position = session.position.map { "\($0.side.rawValue) \($0.contracts)" } ?? "flat"
                    let elapsed = Int(Date().timeIntervalSince(started))
                    files.sample(["elapsed_seconds": elapsed, "bars": counts.bars, "orders": counts.orders,
                                  "fills": counts.fills, "rejects": counts.rejects, "trades": counts.trades,
                                  "position": position, "price": counts.lastPrice ?? "", "equity": figures?.equity ?? "",
                                  "unrealized": figures?.unrealized ?? "", "rss_mib": Double(peakResidentKiB()) / 1024])
                    logger.info("heartbeat", metadata: [
                        "bot": "\(bot.name)", "price": "\(counts.lastPrice.map { "\($0)" } ?? "none")",
                        "position": "\(position)", "equity": "\(figures?.equity ?? 0)",
                        "unrealized": "\(figures?.unrealized ?? 0)", "elapsed_seconds": "\(elapsed)",
                    ])
                }
            }
            if let reason = control.stopReason { exitReason = reason }
            files.event("GRACEFUL SHUTDOWN INITIATED", ["reason": exitReason])
            logger.notice("GRACEFUL SHUTDOWN INITIATED", metadata: ["bot": "\(bot.name)", "reason": "\(exitReason)"])
            do {
                try session.finish()
            } catch {
                errors.append("\(error)")
                logger.error("shutdown could not close the session", metadata: ["bot": "\(bot.name)", "error": "\(error)"])
            }
            let figures = try ledger.figures(account: account)
            let counts = session.counts
            report.merge([
                "duration_seconds": Date().timeIntervalSince(started), "exit_status": status, "exit_reason": exitReason,
                "error_count": errors.count, "errors": Array(errors.prefix(20)), "bars": counts.bars, "orders": counts.orders,
                "fills": counts.fills, "partial_fills": counts.partialFills, "rejects": counts.rejects, "trades": counts.trades,
                "starting_equity": startingEquity, "ending_equity": figures.equity,
                "net_pnl": ((figures.equity - startingEquity) * 100).rounded() / 100, "fees": counts.fees,
                "peak_rss_mib": Double(peakResidentKiB()) / 1024, "longest_heartbeat_gap_seconds": longestHeartbeatGap,
                "stale_events": staleEvents, "gap_events": gapEvents, "missing_bars": missingBars,
            ]) { _, new in new }
            try ledger.finishRun(run: run, status: status, report: json(report))
            files.event("RUN_FINISHED", ["exit_status": status, "exit_reason": exitReason, "net_pnl": report["net_pnl"]!])
            let history = try ledger.history(account: account, run: run)
            var metrics = report.filter { !["errors", "bot", "bot_id", "source", "resumed_from"].contains($0.key) }
            metrics["bar_booking_ms"] = Self.percentiles(bookingMillis)
            try files.finish(report: report, metrics: metrics,
                             summary: RunSummary.html(report: report, equity: history.equity, fills: history.fills))
        } catch {
            report["exit_status"] = "FAILED"
            report["errors"] = errors + ["\(error)"]
            logger.error("paper session failed", metadata: ["bot": "\(bot.name)", "error": "\(error)"])
        }
        return report
    }

    /// {count, p50, p90, p99, max} of booking times (ms, three decimals).
    static func percentiles(_ values: [Double]) -> [String: Any] {
        guard !values.isEmpty else { return ["count": 0] }
        let sorted = values.sorted()
        func at(_ q: Double) -> Double { (sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))] * 1000).rounded() / 1000 }
        return ["count": sorted.count, "p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": at(1)]
    }
}
