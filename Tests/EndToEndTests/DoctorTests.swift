import Foundation
import TestSupport
import XCTest

/// `gauntlet doctor` on the test stack (every check passes) and on a broken one (a
/// database it cannot reach, a host socket that is gone): exit 1, each failure named
/// with its fix.
final class DoctorTests: XCTestCase {
    private func doctor(_ overrides: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let binary = try XCTUnwrap(ProcessInfo.processInfo.environment["GAUNTLET_TEST_BINARY"], "run through scripts/test")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["doctor"]
        process.environment = ProcessInfo.processInfo.environment.merging(overrides) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    func testAHealthyStackPassesEveryCheck() throws {
        let (status, output) = try doctor()
        XCTAssertEqual(status, 0, output)
        for name in ["packages", "disk", "database", "schema", "clock", "host socket", "nginx"] {
            XCTAssertTrue(output.contains("PASS  \(name)"), "\(name): \(output)")
        }
        XCTAssertFalse(output.contains("FAIL"), output)
    }

    func testABrokenStackNamesEachFailureWithItsFix() throws {
        let (status, output) = try doctor(["GAUNTLET_SOCKET": "/nonexistent/api.sock",
                                           "GAUNTLET_DATABASE_URL": "host=/nonexistent port=1 dbname=gauntlet user=postgres"])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("FAIL  database"), output)
        XCTAssertTrue(output.contains("FAIL  host socket      /nonexistent/api.sock does not exist"), output)
        XCTAssertEqual(output.components(separatedBy: "      fix: ").count - 1, 2, "a fix under each failure: \(output)")
        XCTAssertTrue(output.contains("PASS  nginx"), "what still works passes: \(output)")
    }
}
