import Foundation
import TestSupport
import XCTest

/// Zero-downtime reload: requests keep flowing while `scripts/reload`
/// replaces the host three times; not one may fail, and each new host is soon
/// the one answering.
final class ReloadTests: XCTestCase {
    func testReloadUnderLoadLosesNoRequest() throws {
        guard let reload = ProcessInfo.processInfo.environment["GAUNTLET_TEST_RELOAD"] else {
            XCTFail("GAUNTLET_TEST_RELOAD is not set; run through scripts/test")
            return
        }
        let tally = Tally()
        let stop = Flag()
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            Thread {
                defer { group.leave() }
                var sent = 0
                while !stop.isSet && sent < 20_000 {
                    sent += 1
                    do {
                        let reply = try HTTP.get("/api/ready")
                        tally.record(success: reply.status == 200, detail: "status \(reply.status)")
                    } catch {
                        tally.record(success: false, detail: "\(error)")
                    }
                }
            }.start()
        }
        var pids: Set<Int> = []
        for _ in 0..<3 {
            Thread.sleep(forTimeInterval: 0.3)
            if let new = try reloadAndAwaitNewHost(reload) { pids.insert(new) }
        }
        Thread.sleep(forTimeInterval: 0.3)
        stop.set()
        group.wait()
        XCTAssertEqual(pids.count, 3, "each reload should put a new host process in front")
        XCTAssertGreaterThan(tally.ok, 100)
        XCTAssertEqual(tally.failed, 0, "failures during reload: \(tally.failures.prefix(5))")
    }
}

/// A daemon the scripts start keeps no descriptor of whoever ran them: a reload
/// from a shell holding an open lock file must not hand that file to the new host
/// for its whole lifetime.
final class ReloadDescriptorTests: XCTestCase {
    func testReloadedHostInheritsNoDescriptorAboveStderr() throws {
        guard let reload = ProcessInfo.processInfo.environment["GAUNTLET_TEST_RELOAD"] else {
            XCTFail("GAUNTLET_TEST_RELOAD is not set; run through scripts/test")
            return
        }
        let held = FileManager.default.temporaryDirectory
            .appendingPathComponent("gauntlet-held-fd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: held) }
        // fd 9 stays open in the shell that runs the reload, as a lock file would.
        guard let pid = try reloadAndAwaitNewHost("exec 9>'\(held)'; " + reload) else { return }
        let fdDirectory = "/proc/\(pid)/fd"
        let fds = try FileManager.default.contentsOfDirectory(atPath: fdDirectory)
        XCTAssertFalse(fds.isEmpty, "no descriptors listed for host \(pid)")
        let leaked = fds.compactMap { fd -> String? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fdDirectory)/\(fd)"),
                  target.hasPrefix(held) else { return nil }
            return "fd \(fd) -> \(target)"
        }
        XCTAssertEqual(leaked, [], "host \(pid) holds the reloading shell's file")
    }
}

/// Runs the reload command and returns the new host's pid (from its "host NEW took
/// over from OLD") once `/api/health` answers from it. nginx's kept connections to the
/// old host end within its keepalive_time (2 s); until then either host may answer.
private func reloadAndAwaitNewHost(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> Int? {
    let run = try Subprocess.shell(command + " 2>/dev/null")
    XCTAssertEqual(run.status, 0, "reload failed", file: file, line: line)
    let words = run.text.split(whereSeparator: \.isWhitespace)
    guard let index = words.firstIndex(of: "took"), index > 0, let new = Int(words[index - 1]) else {
        XCTFail("reload printed no new pid: \(run.text)", file: file, line: line)
        return nil
    }
    let deadline = Date().addingTimeInterval(5)
    var answered: Int?
    while Date() < deadline {
        answered = try HTTP.get("/api/health").json["pid"] as? Int
        if answered == new { return new }
        Thread.sleep(forTimeInterval: 0.05)
    }
    XCTFail("the new host \(new) did not answer within 5 s (last answer from \(answered.map(String.init) ?? "none"))",
            file: file, line: line)
    return nil
}

private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var ok = 0
    private(set) var failed = 0
    private(set) var failures: [String] = []
    func record(success: Bool, detail: String) {
        lock.lock(); defer { lock.unlock() }
        if success { ok += 1 } else { failed += 1; failures.append(detail) }
    }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
