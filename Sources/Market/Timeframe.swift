/// Bar width. Raw values are the spellings used on the command line and in JSON.
public enum Timeframe: String, Sendable, Codable, CaseIterable {
    case m1 = "1m"
    case m5 = "5m"
    case m15 = "15m"
    case h1 = "1h"

    public var seconds: Int {
        switch self {
        case .m1: 60
        case .m5: 300
        case .m15: 900
        case .h1: 3600
        }
    }
}
