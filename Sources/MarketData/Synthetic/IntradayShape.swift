import Foundation
import Market

/// Relative activity (volatility and volume) of each minute in a session: the U shape
/// of regular hours — busiest at the open, quiet at midday, busy again into the close —
/// and a quiet overnight for futures, with a short burst when the session reopens.
/// Calibrated against real ES (docs/market-data.md, "Calibration").
enum IntradayShape {
    /// Volume grows faster than volatility with activity: overnight ES trades about a
    /// tenth of a regular-hours minute's contracts at about two thirds of its volatility.
    static let volumeExponent = 3.6

    static func activity(at t: Int64, in day: SessionDay) -> Double {
        if t >= day.regularOpen, t < day.regularClose {
            let u = Double(t - day.regularOpen) / Double(day.regularClose - day.regularOpen)
            return 0.8 + 0.8 * exp(-u / 0.07) + 0.8 * exp(-(1 - u) / 0.05)
        }
        let sinceOpen = Double(t - day.open)
        return 0.49 + 0.3 * exp(-sinceOpen / 900)
    }
}
