import Foundation

/// This process's peak resident set size in KiB (`VmHWM` in /proc/self/status; 0 where
/// there is none), as the benchmarks and the paper runner's report quote it.
public func peakResidentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
    return 0
}
