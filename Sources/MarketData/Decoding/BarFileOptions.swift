import Foundation

/// What a bar file cannot say about itself: whether its stamps mark the start or the
/// end of each bar, and the zone of stamps written without one. Databento formats
/// ignore both: their `ts_event` is always the bar start in UTC.
public struct BarFileOptions: Sendable, Equatable {
    public enum Stamps: String, Sendable, Equatable {
        case barStart = "start"
        case barEnd = "end"
    }

    public var stamps: Stamps
    /// Zone of stamps without an offset, e.g. "America/New_York" for local exchange time.
    public var naiveTimeZone: TimeZone

    public init(stamps: Stamps = .barStart, naiveTimeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.stamps = stamps
        self.naiveTimeZone = naiveTimeZone
    }
}
