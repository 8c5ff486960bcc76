import Foundation

/// Paths into the real recorded data beside the repository (`../shared/data`).
public enum SharedData {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .deletingLastPathComponent()
        .appendingPathComponent("shared/data")

    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    public static func contents(_ relative: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(relative))
    }
}

/// UTC epoch seconds of an ISO-8601 instant written in a test.
public func epoch(_ iso: String) -> Int64 {
    let formatter = ISO8601DateFormatter()
    return Int64(formatter.date(from: iso)!.timeIntervalSince1970)
}

public func date(_ iso: String) -> Date { Date(timeIntervalSince1970: Double(epoch(iso))) }
