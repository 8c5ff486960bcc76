/// A job kind as `bot_jobs.job_type` spells it. Which kinds exist, which are
/// backtests, their events, priorities, leases and the executor that runs each
/// are rows of `job_kinds` (docs/jobs.md); Swift carries only the name, so adding
/// a kind is one row, one recorder function and one executor — no list here.
public struct JobKind: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
}
