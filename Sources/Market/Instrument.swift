/// Contract specification of a tradable instrument. PnL in USD is
/// `priceChange / tickSize * tickValue * contracts` (DESIGN.md §6).
public struct Instrument: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case future
        case equity
    }

    /// "ES", "MNQ", ... or the stock ticker for equities.
    public let symbol: String
    public let name: String
    public let tickSize: Double
    /// USD per 1.0 price point.
    public let multiplier: Double
    public let currency: String
    /// USD per contract (or share) per side.
    public let commissionPerSide: Double
    public let exchange: String
    public let session: TradingSession
    public let kind: Kind
    /// Exchange initial margin per contract, USD: the default a paper account's margin
    /// check starts from (instruments.initial_margin, which a DBA sets to the broker's
    /// figure). Nil when unknown: such an instrument cannot be traded on paper.
    public let initialMargin: Double?

    /// USD per tick per contract.
    public var tickValue: Double { tickSize * multiplier }

    /// Decimals a price needs to show every tick (0.25 → 2, 0.005 → 3, 1 → 0).
    public var priceDecimals: Int {
        var scaled = tickSize
        var decimals = 0
        while (scaled - scaled.rounded()).magnitude > 1e-9 && decimals < 8 {
            scaled *= 10
            decimals += 1
        }
        return decimals
    }

    public init(
        symbol: String, name: String, tickSize: Double, multiplier: Double,
        currency: String = "USD", commissionPerSide: Double, exchange: String,
        session: TradingSession, kind: Kind, initialMargin: Double? = nil
    ) {
        self.symbol = symbol
        self.name = name
        self.tickSize = tickSize
        self.multiplier = multiplier
        self.currency = currency
        self.commissionPerSide = commissionPerSide
        self.initialMargin = initialMargin
        self.exchange = exchange
        self.session = session
        self.kind = kind
    }

    /// Nearest multiple of the tick size, as the exchange would quote it. For
    /// ticks like 0.01 or 0.1 the tick count is divided by the (whole) number of
    /// ticks per point, which yields the double nearest the decimal price —
    /// 49.23, not the 49.230000000000004 that count × tick gives. `rule` `.down`/`.up`
    /// gives the tick at or below/above instead.
    @inlinable
    public func roundToTick(_ price: Double, _ rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> Double {
        let perPoint = 1 / tickSize
        let whole = perPoint.rounded()
        if abs(perPoint - whole) < 1e-9 { return (price * whole).rounded(rule) / whole }
        return (price / tickSize).rounded(rule) * tickSize
    }
}

/// The instruments Gauntlet knows, in one table. Facts cross-checked against CME
/// and Lean's symbol-properties database (see ../shared/data/README.md).
public enum Instruments {
    private static let microCommission = 0.57
    private static let eminiCommission = 2.15
    private static let energyMetalsCommission = 2.47

    public static let all: [Instrument] = [
        future("ES", "E-mini S&P 500", tick: 0.25, multiplier: 50, commission: eminiCommission,
               exchange: "CME", session: .cmeEquityIndex, margin: 24000),
        future("MES", "Micro E-mini S&P 500", tick: 0.25, multiplier: 5, commission: microCommission,
               exchange: "CME", session: .cmeEquityIndex, margin: 2400),
        future("NQ", "E-mini Nasdaq-100", tick: 0.25, multiplier: 20, commission: eminiCommission,
               exchange: "CME", session: .cmeEquityIndex, margin: 34000),
        future("MNQ", "Micro E-mini Nasdaq-100", tick: 0.25, multiplier: 2, commission: microCommission,
               exchange: "CME", session: .cmeEquityIndex, margin: 3400),
        future("RTY", "E-mini Russell 2000", tick: 0.1, multiplier: 50, commission: eminiCommission,
               exchange: "CME", session: .cmeEquityIndex, margin: 11000),
        future("M2K", "Micro E-mini Russell 2000", tick: 0.1, multiplier: 5, commission: microCommission,
               exchange: "CME", session: .cmeEquityIndex, margin: 1100),
        future("YM", "E-mini Dow ($5)", tick: 1, multiplier: 5, commission: eminiCommission,
               exchange: "CBOT", session: .cmeEquityIndex, margin: 16000),
        future("MYM", "Micro E-mini Dow", tick: 1, multiplier: 0.5, commission: microCommission,
               exchange: "CBOT", session: .cmeEquityIndex, margin: 1600),
        future("CL", "Crude Oil (WTI)", tick: 0.01, multiplier: 1000, commission: energyMetalsCommission,
               exchange: "NYMEX", session: .cmeEnergy, margin: 6500),
        future("MCL", "Micro WTI Crude Oil", tick: 0.01, multiplier: 100, commission: microCommission,
               exchange: "NYMEX", session: .cmeEnergy, margin: 650),
        future("GC", "Gold", tick: 0.1, multiplier: 100, commission: energyMetalsCommission,
               exchange: "COMEX", session: .cmeMetals, margin: 18000),
        future("MGC", "Micro Gold", tick: 0.1, multiplier: 10, commission: microCommission,
               exchange: "COMEX", session: .cmeMetals, margin: 1800),
    ]

    private static let bySymbol: [String: Instrument] =
        Dictionary(uniqueKeysWithValues: all.map { ($0.symbol, $0) })

    /// The futures spec for a root symbol ("ES", case-insensitive), or nil.
    public static func spec(_ symbol: String) -> Instrument? {
        bySymbol[symbol.uppercased()]
    }

    /// A generic US stock: tick 0.01, multiplier 1, regular hours in New York.
    /// Commission is per share per side (a typical retail-broker 0.005).
    public static func equity(_ ticker: String) -> Instrument {
        Instrument(symbol: ticker.uppercased(), name: ticker.uppercased(), tickSize: 0.01, multiplier: 1,
                   commissionPerSide: 0.005, exchange: "US", session: .usEquities, kind: .equity)
    }

    /// Margins are approximate exchange initial margins (CME Group, late 2025), rounded.
    private static func future(
        _ symbol: String, _ name: String, tick: Double, multiplier: Double, commission: Double,
        exchange: String, session: TradingSession, margin: Double
    ) -> Instrument {
        Instrument(symbol: symbol, name: name, tickSize: tick, multiplier: multiplier,
                   commissionPerSide: commission, exchange: exchange, session: session, kind: .future,
                   initialMargin: margin)
    }
}
