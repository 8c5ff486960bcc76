import Foundation
import TestSupport
import XCTest

/// A `gauntlet worker` child process against a scratch database. The binary is
/// GAUNTLET_TEST_BINARY (relative paths from the package root), else
/// .build/debug/gauntlet. Provider keys of the test's environment are removed so
/// bars are synthetic unless a test asks otherwise.
final class WorkerProcess {
    let id: String
    let pid: pid_t
    let logPath: String
    private(set) var exitCode: Int32?

    static var binary: String {
        let configured = ProcessInfo.processInfo.environment["GAUNTLET_TEST_BINARY"] ?? ".build/debug/gauntlet"
        return configured.hasPrefix("/") ? configured
            : ScratchDatabase.packageRoot.appendingPathComponent(configured).path
    }

    init(id: String, database: ScratchDatabase, directory: URL, slots: Int = 2, types: String? = nil,
         graceSeconds: Double? = nil, environment extra: [String: String] = [:]) throws {
        var environment = ProcessInfo.processInfo.environment
        for key in ["DATABENTO_API_KEY", "POLYGON_API_KEY", "GAUNTLET_DATA_DIR", "GAUNTLET_DATA_PROVIDERS",
                    "DATABENTO_BASE_URL", "POLYGON_BASE_URL", "GAUNTLET_TEST_EXECUTOR_DELAY_MS"] {
            environment[key] = nil
        }
        environment["GAUNTLET_DATABASE_URL"] = database.conninfo
        environment["GAUNTLET_VAR"] = directory.path
        environment.merge(extra) { _, new in new }
        var arguments = ["worker", "--id", id, "--slots", "\(slots)", "--pidfile", directory.appendingPathComponent("\(id).pid").path]
        if let types { arguments += ["--types", types] }
        if let graceSeconds { arguments += ["--grace-seconds", "\(graceSeconds)"] }
        self.id = id
        logPath = directory.appendingPathComponent("\(id).log").path
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            XCTFail("no gauntlet binary at \(Self.binary); build first or set GAUNTLET_TEST_BINARY")
            throw POSIXError(.ENOENT)
        }
        pid = try Subprocess.spawn(Self.binary, arguments, environment: environment, logPath: logPath)
    }

    /// SIGTERM, then the exit code (nil if it did not exit in time).
    func terminate(timeout: Double = 30) -> Int32? {
        guard exitCode == nil else { return exitCode }
        kill(pid, SIGTERM)
        exitCode = Subprocess.waitForExit(pid, timeout: timeout)
        return exitCode
    }

    func killHard() {
        guard exitCode == nil else { return }
        kill(pid, SIGKILL)
        exitCode = Subprocess.waitForExit(pid, timeout: 10)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

/// Scratch database, temp directory and workers for one test, torn down after it
/// (workers still running are killed; logs are printed when the test failed).
class WorkerTestCase: XCTestCase {
    var database: ScratchDatabase!
    var directory: URL!
    var workers: [WorkerProcess] = []

    override func setUpWithError() throws {
        database = try ScratchDatabase()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobs-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for worker in workers { worker.killHard() }
        if (testRun?.failureCount ?? 0) > 0 {
            for worker in workers {
                print("---- \(worker.id) log (last 40 lines)")
                print(worker.log.split(separator: "\n").suffix(40).joined(separator: "\n"))
            }
        }
        workers = []
        database?.drop()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    @discardableResult
    func startWorker(_ id: String, slots: Int = 2, types: String? = nil, graceSeconds: Double? = nil,
                     environment: [String: String] = [:]) throws -> WorkerProcess {
        let worker = try WorkerProcess(id: id, database: database, directory: directory, slots: slots, types: types,
                                       graceSeconds: graceSeconds, environment: environment)
        workers.append(worker)
        return worker
    }
}
