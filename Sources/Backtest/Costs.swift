import Market

/// Trading costs of a run, recorded in its provenance.
///
/// Commission is charged per contract per side (entry and exit). Slippage is a
/// whole number of ticks against us on every fill that takes liquidity — market
/// entries, SIGNAL/TIME exits at the open, SESSION_END exits at the close and
/// stop exits — and not on profit targets, which are resting limit orders.
public struct CostModel: Sendable, Hashable, Codable {
    public let commissionPerSide: Double
    public let slippageTicks: Int

    public init(commissionPerSide: Double, slippageTicks: Int) {
        self.commissionPerSide = commissionPerSide
        self.slippageTicks = slippageTicks
    }

    /// Commission of one fill of `contracts` (one side); a round trip pays it twice.
    public func commission(contracts: Int) -> Double {
        commissionPerSide * Double(contracts)
    }

    /// The instrument's default commission and one tick of slippage per fill.
    public static func standard(for instrument: Instrument) -> CostModel {
        CostModel(commissionPerSide: instrument.commissionPerSide, slippageTicks: 1)
    }

    enum CodingKeys: String, CodingKey {
        case commissionPerSide = "commission_per_side"
        case slippageTicks = "slippage_ticks"
    }
}
