import Foundation

/// Paths into the real recorded data beside the repository (`../shared/data`).
enum SharedData {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // MarketDataTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .deletingLastPathComponent()
        .appendingPathComponent("shared/data")

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func contents(_ relative: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(relative))
    }
}

/// UTC epoch seconds of an ISO-8601 instant written in a test.
func epoch(_ iso: String) -> Int64 {
    let formatter = ISO8601DateFormatter()
    return Int64(formatter.date(from: iso)!.timeIntervalSince1970)
}

func date(_ iso: String) -> Date { Date(timeIntervalSince1970: Double(epoch(iso))) }
