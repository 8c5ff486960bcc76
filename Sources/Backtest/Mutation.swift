import Foundation
import Market

/// A deterministic change to a bot's parameters within its archetype's bounds: the
/// step behind evolution (a Gen+1 child) and improvement (a candidate for the same
/// bot). The same parameters, seed and strength always give the same result on any
/// machine, so a DBA can reproduce every child and every candidate from the ids in
/// the database.
///
/// One to three of the family's levers move — its stop/target size, its session
/// window or entry cut-off, its entry threshold — never sizing, the daily trade cap,
/// the variant or the trading session, which change what the bot *is* rather than
/// how well it trades. Levers the archetype pins (a bound of one value) stay put.
public struct Mutation: Sendable, Equatable {
    /// One parameter's move; encodes as `{"from": x, "to": y}`.
    public struct Change: Sendable, Hashable, Codable {
        public let from: ParamValue
        public let to: ParamValue
    }

    /// The complete, validated parameter set after the mutation.
    public let params: ParamValues
    /// Only the parameters that moved.
    public let changes: [String: Change]

    /// How far a lever may move, as a share of its scale (see `move`).
    public enum Strength {
        /// A new generation: a visible step away from the parent.
        public static let evolve = 0.35
        /// An improvement iteration: a local search around the current parameters.
        public static let improve = 0.15
    }

    /// Inconsistent candidates (fast ≥ slow, min gap > max gap) are redrawn this often.
    static let attempts = 12

    /// Mutates `params` (completed from the archetype's defaults) of `archetype`.
    ///
    /// - Parameter strength: in `0.01...1`; a lever moves by up to `strength` × its
    ///   scale, at least a quarter of that, in either direction.
    /// - Throws: the `ParamsError` of invalid input, or `PARAMS_INCONSISTENT` when
    ///   no consistent candidate was found in `attempts` draws.
    public static func mutate(_ params: ParamValues, of archetype: Archetype, seed: UInt64,
                              strength: Double) throws(ParamsError) -> Mutation {
        let current = try archetype.validate(params)
        let strength = min(1, max(0.01, strength.isFinite ? strength : 0.01))
        let movable = movableLevers(of: archetype, at: current)
        guard !movable.isEmpty else {
            throw ParamsError(code: .inconsistent, message: "archetype \(archetype.slug) pins every parameter a mutation may move")
        }
        var generator = SplitMix64(seed: seed)
        var lastError: ParamsError?
        for _ in 0..<attempts {
            var candidate = current
            var changes: [String: Change] = [:]
            let count = min(movable.count, 1 + Int(generator.next() % 3))
            for name in generator.shuffled(movable).prefix(count) {
                guard let bound = archetype.bounds[name], let from = current[name]?.number,
                      let to = move(from, within: bound, strength: strength, generator: &generator) else { continue }
                candidate[name] = .number(to)
                changes[name] = Change(from: .number(from), to: .number(to))
            }
            guard !changes.isEmpty else { continue }
            do {
                return Mutation(params: try archetype.validate(candidate), changes: changes)
            } catch {
                lastError = error
            }
        }
        throw ParamsError(code: .inconsistent,
                          message: "no consistent mutation of \(archetype.slug) in \(attempts) draws"
                              + (lastError.map { " (last: \($0.message))" } ?? ""))
    }

    /// A seed from an identity (a bot id) and counters (a generation, an iteration):
    /// each input is folded in through the SplitMix64 finaliser, so neighbouring
    /// counters give unrelated seeds.
    public static func seed(_ id: UUID, _ counters: Int...) -> UInt64 {
        let bytes = id.uuid
        let high = [bytes.0, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5, bytes.6, bytes.7]
            .reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let low = [bytes.8, bytes.9, bytes.10, bytes.11, bytes.12, bytes.13, bytes.14, bytes.15]
            .reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var state = SplitMix64.mix(high) ^ low
        for counter in counters {
            state = SplitMix64.mix(state ^ UInt64(bitPattern: Int64(counter)))
        }
        return SplitMix64.mix(state)
    }

    /// The parameters worth moving per family, in a fixed order (the shuffle is seeded,
    /// so the order is part of what makes a mutation reproducible).
    static func levers(of family: Family) -> [String] {
        switch family {
        // stop/target size · opening-range length · entry cut-off
        case .openingRange: ["stop_fraction", "target_r", "range_minutes", "last_entry_minutes"]
        // stop/exit · entry threshold and its statistics window · time exit · entry cut-off
        case .meanReversion: ["stop_sigma", "exit_z", "entry_z", "lookback", "warmup_bars", "max_hold_bars",
                              "last_entry_minutes"]
        // stop/target size · channel length (the breakout threshold) · entry cut-off
        case .channelBreakout: ["stop_fraction", "target_r", "lookback", "last_entry_minutes"]
        // stop/target size · the two averages whose cross is the entry · entry cut-off
        case .movingAverageTrend: ["stop_atr", "target_r", "fast", "slow", "last_entry_minutes"]
        // stop/target size · the gap sizes traded · confirmation delay · entry cut-off
        case .gap: ["stop_fraction", "target_r", "min_gap_ticks", "max_gap_ticks", "confirm_minutes",
                    "last_entry_minutes"]
        // stop buffer/target · balance length · entry cut-off
        case .rangeFade: ["stop_buffer_ticks", "target_fraction", "range_minutes", "last_entry_minutes"]
        }
    }

    /// The family's levers that can move for this archetype at these params: numeric,
    /// with a bound of more than one value (levers the archetype pins stay put).
    /// Mutation and the research grid both move these.
    static func movableLevers(of archetype: Archetype, at params: ParamValues) -> [String] {
        levers(of: archetype.family).filter { name in
            guard params[name]?.number != nil, let range = archetype.bounds[name]?.numericRange else { return false }
            return range.lower < range.upper
        }
    }

    /// How far a lever at `value` can sensibly move: the value itself, but at least a
    /// tenth of its bound's width, so a parameter at zero (no target, no time exit) can
    /// still move and a wide bound (entry cut-off 5…1440 min) is not crossed in one jump.
    static func scale(of value: Double, lower: Double, upper: Double) -> Double {
        max(abs(value), (upper - lower) / 10)
    }

    /// A new value for one lever, or nil when its bound leaves no room to move.
    ///
    /// The move is up to `strength` × the lever's `scale`. Reals round to 0.01 so
    /// stored params stay readable; integers move at least one step. A move that
    /// would leave the bound is clamped, and one that clamps back onto the old value
    /// goes the other way.
    static func move(_ value: Double, within bound: ParamBound, strength: Double,
                     generator: inout SplitMix64) -> Double? {
        guard let (lower, upper, step) = bound.numericRange, lower < upper else { return nil }
        let magnitude = strength * scale(of: value, lower: lower, upper: upper) * (0.25 + 0.75 * generator.uniform())
        let direction: Double = generator.next() & 1 == 0 ? 1 : -1
        // Multiplying by the inverse step keeps 0.35 from becoming 0.35000000000000003.
        func land(_ raw: Double) -> Double {
            min(upper, max(lower, (raw * (1 / step)).rounded() / (1 / step)))
        }
        for sign in [direction, -direction] {
            var moved = land(value + sign * magnitude)
            if moved == value { moved = land(value + sign * step) }
            if moved != value { return moved }
        }
        return nil
    }
}
