import Foundation
import TestSupport
import XCTest

/// The host under systemd (deploy/systemd, Type=notify): each host that takes
/// the socket tells the manager `MAINPID=<itself>` and `READY=1`, the first one
/// and a `--replace` one alike, so systemd follows a reload to the new process.
/// The manager here is a datagram socket the test reads, as systemd's would be.
final class ServiceNotifyTests: XCTestCase {
    func testEveryHostThatTakesTheSocketAnnouncesItselfAsMainPid() throws {
        let binary = try XCTUnwrap(ProcessInfo.processInfo.environment["GAUNTLET_TEST_BINARY"], "run through scripts/test")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gauntlet-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let manager = try DatagramListener(path: "\(directory)/notify")
        defer { manager.close() }
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = "\(directory)/notify"
        let arguments = ["host", "--socket", "\(directory)/api.sock", "--pidfile", "\(directory)/host.pid", "--threads", "1"]

        let first = try Subprocess.spawn(binary, arguments, environment: environment, logPath: "\(directory)/host.log")
        var pids = [first]
        defer { for pid in pids { kill(pid, SIGKILL); _ = Subprocess.waitForExit(pid, timeout: 5) } }
        XCTAssertEqual(manager.receive(timeout: 10), "MAINPID=\(first)\nREADY=1", log(directory))

        let second = try Subprocess.spawn(binary, arguments + ["--replace"], environment: environment,
                                          logPath: "\(directory)/host.log")
        pids.append(second)
        XCTAssertEqual(manager.receive(timeout: 10), "MAINPID=\(second)\nREADY=1", log(directory))
        XCTAssertEqual(Subprocess.waitForExit(first, timeout: 10), 0, "the retired host drains and exits 0: \(log(directory))")
        XCTAssertNil(manager.receive(timeout: 0.5), "a retired host sends nothing more (no STOPPING=1 for the unit)")
    }

    private func log(_ directory: String) -> String {
        (try? String(contentsOfFile: "\(directory)/host.log", encoding: .utf8)) ?? "(no host log)"
    }
}

/// A bound AF_UNIX datagram socket: what systemd listens on for sd_notify.
private final class DatagramListener {
    private let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// The next datagram as text, or nil when none arrives in time.
    func receive(timeout: Double) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }

    func close() { _ = Glibc.close(fd) }
}
