import Market

/// Which dated contract is the front month on a given day, for providers that need a
/// contract ticker (Polygon) rather than a continuous symbol. Rolls happen before
/// expiry, when volume moves to the next contract:
/// - equity index (ES, NQ, RTY, YM and micros): quarterly H/M/U/Z, rolled on the
///   Thursday eight days before the third-Friday expiry;
/// - crude oil (CL, MCL): every month, rolled on the 15th of the month before delivery;
/// - gold (GC, MGC): G/J/M/Q/V/Z, rolled on the 25th of the month before delivery.
/// Exchange holidays are ignored, so a roll may be a day off the exchange's own.
enum FuturesContractCalendar {
    private static let monthCodes: [Character] = ["F", "G", "H", "J", "K", "M", "N", "Q", "U", "V", "X", "Z"]

    private enum Cycle {
        case quarterlyIndex, monthlyEnergy, bimonthlyMetal
    }

    private static func cycle(_ root: String) -> Cycle? {
        switch root {
        case "ES", "MES", "NQ", "MNQ", "RTY", "M2K", "YM", "MYM": .quarterlyIndex
        case "CL", "MCL": .monthlyEnergy
        case "GC", "MGC": .bimonthlyMetal
        default: nil
        }
    }

    /// A contract and the window (UTC epoch seconds, split at UTC midnights) it is front in.
    struct Segment: Equatable {
        let ticker: String
        let from: Int64
        let to: Int64
    }

    /// Splits `from..<to` at roll dates into front-month segments; nil for unknown roots.
    static func segments(root: String, from: Int64, to: Int64) -> [Segment]? {
        guard cycle(root) != nil else { return nil }
        var result: [Segment] = []
        var start = from
        var day = Int((from - ((from % 86_400) + 86_400) % 86_400) / 86_400)
        while start < to {
            let contract = front(root: root, day: day)!
            // Advance to the first day whose front contract differs (bounded: ≤ 100 days).
            var next = day + 1
            while next - day < 100, front(root: root, day: next) == contract { next += 1 }
            let end = min(to, Int64(next) * 86_400)
            result.append(Segment(ticker: contract, from: start, to: end))
            start = end
            day = next
        }
        return result
    }

    /// The front contract's ticker, e.g. "ESH4" (one-digit year, as Polygon spells it).
    static func front(root: String, day: Int) -> String? {
        guard let cycle = cycle(root) else { return nil }
        let date = CivilDate(daysSinceEpoch: day)
        var year = date.year, month = date.month
        switch cycle {
        case .quarterlyIndex:
            month = ((month + 2) / 3) * 3
            if day >= rollDayForQuarterly(year: year, month: month) { month += 3 }
        case .monthlyEnergy:
            month += date.day >= 15 ? 2 : 1
        case .bimonthlyMetal:
            month += 1
            if month % 2 == 1 { month += 1 }  // next even month after this one
            if month == date.month + 1, date.day >= 25 { month += 2 }
        }
        while month > 12 { month -= 12; year += 1 }
        return "\(root)\(monthCodes[month - 1])\(year % 10)"
    }

    /// Thursday eight days before the third Friday of `month`.
    private static func rollDayForQuarterly(year: Int, month: Int) -> Int {
        let first = CivilDate(year: year, month: month, day: 1)
        let firstFriday = first.daysSinceEpoch + (5 - first.weekday + 7) % 7
        return firstFriday + 14 - 8
    }
}
