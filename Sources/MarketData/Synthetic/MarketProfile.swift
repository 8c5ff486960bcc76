import Foundation
import Market

/// How one market behaves in synthetic data: where its price sits, how much it moves
/// in a day and how much trades in a regular-hours minute. Micro contracts share the
/// profile (and therefore the price path) of their E-mini; only volume differs.
struct MarketProfile: Sendable {
    /// The market whose price path is used ("ES" for both ES and MES).
    let market: String
    let basePrice: Double
    /// Annualised volatility of daily returns.
    let annualVolatility: Double
    /// Contracts (or shares) in an average regular-hours minute.
    let minuteVolume: Double
    /// Standard deviation of the session-open gap as a fraction of the daily volatility:
    /// small for futures (one hour's break), larger for stocks (overnight).
    let gapFraction: Double

    private static let futures: [String: MarketProfile] = [
        "ES": .init(market: "ES", basePrice: 5000, annualVolatility: 0.16, minuteVolume: 1500, gapFraction: 0.05),
        "MES": .init(market: "ES", basePrice: 5000, annualVolatility: 0.16, minuteVolume: 900, gapFraction: 0.05),
        "NQ": .init(market: "NQ", basePrice: 18000, annualVolatility: 0.22, minuteVolume: 600, gapFraction: 0.05),
        "MNQ": .init(market: "NQ", basePrice: 18000, annualVolatility: 0.22, minuteVolume: 1800, gapFraction: 0.05),
        "RTY": .init(market: "RTY", basePrice: 2050, annualVolatility: 0.22, minuteVolume: 150, gapFraction: 0.05),
        "M2K": .init(market: "RTY", basePrice: 2050, annualVolatility: 0.22, minuteVolume: 200, gapFraction: 0.05),
        "YM": .init(market: "YM", basePrice: 39000, annualVolatility: 0.15, minuteVolume: 150, gapFraction: 0.05),
        "MYM": .init(market: "YM", basePrice: 39000, annualVolatility: 0.15, minuteVolume: 90, gapFraction: 0.05),
        "CL": .init(market: "CL", basePrice: 75, annualVolatility: 0.35, minuteVolume: 700, gapFraction: 0.05),
        "MCL": .init(market: "CL", basePrice: 75, annualVolatility: 0.35, minuteVolume: 120, gapFraction: 0.05),
        "GC": .init(market: "GC", basePrice: 2000, annualVolatility: 0.15, minuteVolume: 350, gapFraction: 0.05),
        "MGC": .init(market: "GC", basePrice: 2000, annualVolatility: 0.15, minuteVolume: 80, gapFraction: 0.05),
    ]

    static func of(_ instrument: Instrument) -> MarketProfile {
        if let known = futures[instrument.symbol.uppercased()] { return known }
        // Any other symbol: a stock priced log-uniformly in 20…400 by its ticker's hash.
        let unit = Double(SplitMix64.hash(instrument.symbol.uppercased()) >> 11) * 0x1.0p-53
        let price = 20 * exp(unit * log(20.0))
        return MarketProfile(
            market: instrument.symbol.uppercased(), basePrice: (price * 100).rounded() / 100,
            annualVolatility: 0.30, minuteVolume: 20_000, gapFraction: 0.4)
    }
}
