/// Rounds prices to a tick so they print as the exchange would quote them: for ticks
/// like 0.01 or 0.1 the tick count is divided by the ticks per point (an exact integer),
/// which yields the double nearest the decimal price (49.23, not 49.230000000000004).
struct TickGrid: Sendable {
    let tickSize: Double
    /// Ticks per 1.0 price point when that is a whole number (100 for 0.01), else nil.
    private let ticksPerPoint: Double?

    init(tickSize: Double) {
        self.tickSize = tickSize
        let inverse = 1 / tickSize
        ticksPerPoint = abs(inverse - inverse.rounded()) < 1e-9 ? inverse.rounded() : nil
    }

    func round(_ price: Double) -> Double {
        if let ticksPerPoint { return (price * ticksPerPoint).rounded() / ticksPerPoint }
        return (price / tickSize).rounded() * tickSize
    }
}
