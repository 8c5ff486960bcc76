import Foundation
import Market

/// Session closes of a synthetic market as a mean-reverting walk in log price
/// (Ornstein–Uhlenbeck around the profile's base price, half-life about a year), so
/// prices wander realistically but stay at a sane level for any date. The walk starts
/// at the base price on 1990-01-01 and runs forward (or, mirrored, backward for earlier dates)
/// day by day; each step uses only that day's `DayPlan`, so the close of any date is
/// the same whatever window was requested.
struct DailyWalk {
    /// 1990-01-01, a Monday.
    static let originDay = 7305
    /// Daily pull back toward the base price.
    static let reversion = 0.003

    let profile: MarketProfile
    let marketSeed: UInt64

    /// Log price (relative to the base) at the close of each local calendar day in
    /// `firstDay - 1 ... lastDay` (index 0 is the day before `firstDay`). Weekend days
    /// carry Friday's close.
    func logCloses(firstDay: Int, lastDay: Int) -> [Double] {
        let first = firstDay - 1
        var closes = [Double](repeating: 0, count: lastDay - first + 1)
        func record(_ day: Int, _ x: Double) {
            if day >= first, day <= lastDay { closes[day - first] = x }
        }
        var x = 0.0
        var day = Self.originDay
        record(day, x)
        while day < lastDay {
            day += 1
            if isTradeDate(day) { x = x * (1 - Self.reversion) + plan(day).totalMove }
            record(day, x)
        }
        // Before the origin the walk runs backward, mirrored (pulled toward the base as
        // well), because exactly undoing the forward pull would drift without bound.
        x = 0
        day = Self.originDay
        while day > first {
            if isTradeDate(day) { x = x * (1 - Self.reversion) - plan(day).totalMove }
            day -= 1
            record(day, x)
        }
        return closes
    }

    private func plan(_ day: Int) -> DayPlan {
        DayPlan(day: day, marketSeed: marketSeed, profile: profile)
    }

    private func isTradeDate(_ day: Int) -> Bool {
        let weekday = ((day % 7) + 11) % 7  // 0 = Sunday; 1970-01-01 was a Thursday
        return weekday != 0 && weekday != 6
    }
}

extension DayPlan {
    var totalMove: Double { gap + sessionMove }
}
