import Foundation
import Market

/// The files of one paper run under `$GAUNTLET_VAR/runs/<run id>/`:
///   config.json        the run's configuration as it started (no secrets: only the
///                      runner's own options, never the environment)
///   events.jsonl       one JSON object per event (orders, fills, trades, stale data,
///                      gaps, the kill switch, shutdown), appended and flushed as they happen
///   metrics.csv        one row per heartbeat: elapsed, bars, orders, fills, rejects,
///                      trades, position, price, equity, unrealised PnL, RSS
///   metrics.json       the run's figures at its end (the report's counters plus the
///                      bar-booking latency percentiles)
///   final_report.json  the report (also in paper_runs.report)
///   summary.html       the report for a person
/// Files written whole are written atomically (temp file + rename).
final class RunArtifacts {
    let directory: String
    private let events: FileHandle?
    private let metrics: FileHandle?
    private let started = Date()

    static let metricsColumns = ["elapsed_seconds", "bars", "orders", "fills", "rejects", "trades", "position", "price",
                                 "equity", "unrealized", "rss_mib"]

    init(varDirectory: String, run: UUID, config: [String: Any]) throws {
        directory = "\(varDirectory)/runs/\(run.uuidString.lowercased())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.write(json(config) + "\n", to: "\(directory)/config.json")
        events = Self.appending("\(directory)/events.jsonl")
        let csv = "\(directory)/metrics.csv"
        let fresh = !FileManager.default.fileExists(atPath: csv)
        metrics = Self.appending(csv)
        if fresh { metrics?.write(Data((Self.metricsColumns.joined(separator: ",") + "\n").utf8)) }
    }

    deinit {
        try? events?.close()
        try? metrics?.close()
    }

    /// One line of events.jsonl: {"at", "event", …fields}.
    func event(_ name: String, _ fields: [String: Any] = [:]) {
        var line = fields
        line["at"] = isoUTC(Int64(Date().timeIntervalSince1970))
        line["event"] = name
        guard let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) else { return }
        events?.write(data + Data("\n".utf8))
    }

    /// One row of metrics.csv, in `metricsColumns` order.
    func sample(_ values: [String: Any]) {
        let row = Self.metricsColumns.map { column -> String in
            switch values[column] {
            case let value as Double: return String(value)
            case let value?: return "\(value)".replacingOccurrences(of: ",", with: ";")
            case nil: return ""
            }
        }
        metrics?.write(Data((row.joined(separator: ",") + "\n").utf8))
    }

    func finish(report: [String: Any], metrics: [String: Any], summary: String) throws {
        try Self.write(json(metrics) + "\n", to: "\(directory)/metrics.json")
        try Self.write(json(report) + "\n", to: "\(directory)/final_report.json")
        try Self.write(summary, to: "\(directory)/summary.html")
    }

    private static func appending(_ path: String) -> FileHandle? {
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil)
        }
        let handle = FileHandle(forWritingAtPath: path)
        handle?.seekToEndOfFile()
        return handle
    }

    private static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// Pretty, key-sorted JSON of a report-like object ("{}" when it cannot be encoded).
func json(_ object: [String: Any]) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]) else {
        return "{}"
    }
    return String(decoding: data, as: UTF8.self)
}
