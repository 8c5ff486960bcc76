import Foundation
import Market

/// A strategy family: one implemented rule set, parameterised.
public enum Family: String, Sendable, Codable, CaseIterable {
    case openingRange = "opening_range"
    case meanReversion = "mean_reversion"
    case channelBreakout = "channel_breakout"
    case movingAverageTrend = "moving_average_trend"
    case gap = "gap"
    case rangeFade = "range_fade"

    public var displayName: String {
        switch self {
        case .openingRange: "Opening-range breakout"
        case .meanReversion: "Mean reversion (VWAP / z-score)"
        case .channelBreakout: "Channel breakout"
        case .movingAverageTrend: "Moving-average trend"
        case .gap: "Opening gap"
        case .rangeFade: "Range fade"
        }
    }

    /// Every parameter of the family with its hard bounds (common ones first).
    public var specs: [ParamSpec] {
        switch self {
        case .openingRange: OpeningRangeParams.specs
        case .meanReversion: MeanReversionParams.specs
        case .channelBreakout: ChannelBreakoutParams.specs
        case .movingAverageTrend: MovingAverageTrendParams.specs
        case .gap: GapParams.specs
        case .rangeFade: RangeFadeParams.specs
        }
    }
}

/// A named starter configuration of a family: default parameters, the bounds a
/// mutation may explore, and the instrument and timeframe it was designed for.
public struct Archetype: Sendable, Hashable {
    public let slug: String
    public let name: String
    public let family: Family
    /// Suggested instrument symbol and bar width.
    public let instrument: String
    public let timeframe: Timeframe
    /// A complete parameter set.
    public let defaults: ParamValues
    /// For each parameter, the values a request or a mutation may use.
    public let bounds: [String: ParamBound]

    /// Parameters from JSON text: an object whose keys override the defaults. Unknown
    /// keys, wrong types and values outside `bounds` are refused, naming the key.
    public func params(fromJSON json: String?) throws(ParamsError) -> ParamValues {
        guard let json, !json.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return try validate(defaults)
        }
        let object: [String: ParamValue]
        do {
            object = try JSONDecoder().decode([String: ParamValue].self, from: Data(json.utf8))
        } catch {
            throw ParamsError(code: .invalidJSON,
                              message: "params must be a JSON object of numbers and strings, e.g. {\"target_r\": 2}")
        }
        var merged = defaults
        for (key, value) in object { merged[key] = value }
        return try validate(merged)
    }

    /// Fills missing keys from the defaults, then checks every key and value.
    public func validate(_ values: ParamValues) throws(ParamsError) -> ParamValues {
        let known = Set(family.specs.map(\.name))
        for key in values.values.keys.sorted() where !known.contains(key) {
            throw ParamsError(code: .unknownKey,
                              message: "unknown parameter \"\(key)\" for family \(family.rawValue); "
                                  + "known: \(known.sorted().joined(separator: ", "))")
        }
        var complete = defaults
        for (key, value) in values.values { complete[key] = value }
        for spec in family.specs {
            guard let value = complete[spec.name], let bound = bounds[spec.name] else {
                preconditionFailure("archetype \(slug) lacks a default or bound for \(spec.name)")
            }
            guard bound.admits(value) else {
                let wrongType: Bool
                switch (bound, value) {
                case (.choice, .number), (.integer, .text), (.real, .text): wrongType = true
                default: wrongType = false
                }
                throw ParamsError(
                    code: wrongType ? .wrongType : .outOfBounds,
                    message: "\(spec.name) = \(value) is not allowed for \(slug): expected \(bound)")
            }
        }
        if family == .movingAverageTrend, complete.int("fast") >= complete.int("slow") {
            throw ParamsError(code: .inconsistent, message: "fast (\(complete.int("fast"))) must be below slow (\(complete.int("slow")))")
        }
        if family == .gap, complete.int("min_gap_ticks") > complete.int("max_gap_ticks") {
            throw ParamsError(code: .inconsistent, message: "min_gap_ticks must not exceed max_gap_ticks")
        }
        return complete
    }
}

extension ParamValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .text(value) }
}

/// The 20 starter archetypes, defined here and nowhere else.
public enum Archetypes {
    public static let all: [Archetype] = [
        // Opening-range breakout
        make("orb-15-mnq-5m", "MNQ 15-minute opening-range breakout", .openingRange, "MNQ", .m5,
             ["variant": "breakout", "range_minutes": 15, "direction": "both", "stop_fraction": 1.0, "target_r": 1.5,
              "max_trades_per_day": 2, "last_entry_minutes": 180],
             ["range_minutes": .integer(5...60), "stop_fraction": .real(0.25...1.0), "target_r": .real(0.5...4)]),
        make("orb-30-es-1m", "ES 30-minute opening-range breakout", .openingRange, "ES", .m1,
             ["variant": "breakout", "range_minutes": 30, "direction": "both", "stop_fraction": 0.5, "target_r": 1.0,
              "max_trades_per_day": 2, "last_entry_minutes": 240],
             ["range_minutes": .integer(10...90), "stop_fraction": .real(0.25...1.0), "target_r": .real(0.5...4)]),
        make("orb-retest-15-nq-5m", "NQ 15-minute opening range, retest entry", .openingRange, "NQ", .m5,
             ["variant": "retest", "range_minutes": 15, "direction": "both", "stop_fraction": 0.5, "target_r": 1.5,
              "max_trades_per_day": 2, "last_entry_minutes": 210],
             ["range_minutes": .integer(5...60), "stop_fraction": .real(0.25...1.0), "target_r": .real(0.5...4)]),
        make("orb-retest-30-mes-5m", "MES 30-minute opening range, retest entry", .openingRange, "MES", .m5,
             ["variant": "retest", "range_minutes": 30, "direction": "both", "stop_fraction": 0.5, "target_r": 2.0,
              "max_trades_per_day": 2, "last_entry_minutes": 240],
             ["range_minutes": .integer(10...90), "stop_fraction": .real(0.25...1.0), "target_r": .real(0.5...4)]),
        make("ib-breakout-es-5m", "ES initial-balance breakout", .openingRange, "ES", .m5,
             ["variant": "breakout", "range_minutes": 60, "direction": "both", "stop_fraction": 0.5, "target_r": 1.0,
              "max_trades_per_day": 1, "last_entry_minutes": 300],
             ["range_minutes": .integer(30...120), "stop_fraction": .real(0.25...1.0), "target_r": .real(0.5...3)]),
        make("ib-breakout-m2k-5m", "M2K initial-balance breakout", .openingRange, "M2K", .m5,
             ["variant": "breakout", "range_minutes": 60, "direction": "both", "stop_fraction": 0.5, "target_r": 1.5,
              "max_trades_per_day": 1, "last_entry_minutes": 300],
             ["range_minutes": .integer(30...120), "stop_fraction": .real(0.25...1.0), "target_r": .real(0.5...3)]),
        // Mean reversion
        make("vwap-revert-es-1m", "ES VWAP reversion", .meanReversion, "ES", .m1,
             ["variant": "vwap", "lookback": 20, "warmup_bars": 30, "entry_z": 2.0, "exit_z": 0.0, "stop_sigma": 1.5,
              "max_trades_per_day": 4, "max_hold_bars": 90, "last_entry_minutes": 360],
             ["warmup_bars": .integer(10...120), "entry_z": .real(1...3.5), "exit_z": .real(0...1),
              "stop_sigma": .real(0.5...4), "max_hold_bars": .integer(0...240)]),
        make("vwap-revert-mnq-1m", "MNQ VWAP reversion", .meanReversion, "MNQ", .m1,
             ["variant": "vwap", "lookback": 20, "warmup_bars": 20, "entry_z": 2.5, "exit_z": 0.5, "stop_sigma": 1.0,
              "max_trades_per_day": 4, "max_hold_bars": 60, "last_entry_minutes": 360],
             ["warmup_bars": .integer(10...120), "entry_z": .real(1...3.5), "exit_z": .real(0...1),
              "stop_sigma": .real(0.5...4), "max_hold_bars": .integer(0...240)]),
        make("zscore-revert-mes-5m", "MES rolling z-score reversion", .meanReversion, "MES", .m5,
             ["variant": "zscore", "lookback": 20, "warmup_bars": 1, "entry_z": 2.0, "exit_z": 0.0, "stop_sigma": 1.5,
              "max_trades_per_day": 3, "max_hold_bars": 24, "last_entry_minutes": 360],
             ["lookback": .integer(10...100), "entry_z": .real(1...3.5), "exit_z": .real(0...1),
              "stop_sigma": .real(0.5...4), "max_hold_bars": .integer(0...78)]),
        make("zscore-revert-mcl-5m", "MCL rolling z-score reversion", .meanReversion, "MCL", .m5,
             ["variant": "zscore", "lookback": 30, "warmup_bars": 1, "entry_z": 2.0, "exit_z": 0.25, "stop_sigma": 2.0,
              "max_trades_per_day": 3, "max_hold_bars": 24, "last_entry_minutes": 300],
             ["lookback": .integer(10...100), "entry_z": .real(1...3.5), "exit_z": .real(0...1),
              "stop_sigma": .real(0.5...4), "max_hold_bars": .integer(0...66)]),
        // Channel breakout
        make("donchian-nq-5m", "NQ Donchian channel breakout", .channelBreakout, "NQ", .m5,
             ["variant": "donchian", "lookback": 24, "stop_fraction": 0.5, "target_r": 2.0,
              "max_trades_per_day": 2, "last_entry_minutes": 330],
             ["lookback": .integer(10...100), "stop_fraction": .real(0.2...1), "target_r": .real(0...4)]),
        make("donchian-cl-5m", "CL Donchian channel breakout", .channelBreakout, "CL", .m5,
             ["variant": "donchian", "lookback": 20, "stop_fraction": 0.5, "target_r": 2.0,
              "max_trades_per_day": 2, "last_entry_minutes": 300],
             ["lookback": .integer(10...100), "stop_fraction": .real(0.2...1), "target_r": .real(0...4)]),
        make("prior-day-breakout-es-5m", "ES prior-day high/low breakout", .channelBreakout, "ES", .m5,
             ["variant": "prior_day", "lookback": 5, "stop_fraction": 0.25, "target_r": 2.0,
              "max_trades_per_day": 2, "last_entry_minutes": 360],
             ["stop_fraction": .real(0.1...0.75), "target_r": .real(0...4)]),
        make("prior-day-breakout-gc-5m", "GC prior-day high/low breakout", .channelBreakout, "GC", .m5,
             ["variant": "prior_day", "lookback": 5, "stop_fraction": 0.25, "target_r": 2.0,
              "max_trades_per_day": 2, "last_entry_minutes": 300],
             ["stop_fraction": .real(0.1...0.75), "target_r": .real(0...4)]),
        // Moving-average trend
        make("ema-cross-mym-5m", "MYM EMA crossover", .movingAverageTrend, "MYM", .m5,
             ["variant": "crossover", "fast": 9, "slow": 21, "stop_atr": 2.0, "target_r": 2.0,
              "max_trades_per_day": 3, "last_entry_minutes": 360],
             ["fast": .integer(3...30), "slow": .integer(10...100), "stop_atr": .real(0.5...5), "target_r": .real(0...5)]),
        make("ema-pullback-mes-5m", "MES EMA trend pullback", .movingAverageTrend, "MES", .m5,
             ["variant": "pullback", "fast": 10, "slow": 40, "stop_atr": 1.5, "target_r": 2.0,
              "max_trades_per_day": 2, "last_entry_minutes": 360],
             ["fast": .integer(3...30), "slow": .integer(20...150), "stop_atr": .real(0.5...5), "target_r": .real(0.5...5)]),
        make("ema-pullback-mgc-1m", "MGC EMA trend pullback", .movingAverageTrend, "MGC", .m1,
             ["variant": "pullback", "fast": 20, "slow": 60, "stop_atr": 3.0, "target_r": 1.5,
              "max_trades_per_day": 3, "max_hold_bars": 120, "last_entry_minutes": 300],
             ["fast": .integer(5...60), "slow": .integer(30...240), "stop_atr": .real(0.5...6),
              "target_r": .real(0.5...5), "max_hold_bars": .integer(0...300)]),
        // Gap
        make("gap-fade-es-5m", "ES opening-gap fade", .gap, "ES", .m5,
             ["variant": "fade", "min_gap_ticks": 8, "max_gap_ticks": 120, "confirm_minutes": 5, "stop_fraction": 1.0,
              "target_r": 0, "max_trades_per_day": 1, "last_entry_minutes": 30],
             ["min_gap_ticks": .integer(2...40), "max_gap_ticks": .integer(40...400), "stop_fraction": .real(0.25...2)]),
        make("gap-go-mnq-5m", "MNQ opening-gap continuation", .gap, "MNQ", .m5,
             ["variant": "go", "min_gap_ticks": 20, "max_gap_ticks": 800, "confirm_minutes": 15, "stop_fraction": 0.5,
              "target_r": 1.0, "max_trades_per_day": 1, "last_entry_minutes": 60],
             ["min_gap_ticks": .integer(4...100), "max_gap_ticks": .integer(100...2000),
              "confirm_minutes": .integer(5...60), "stop_fraction": .real(0.25...2), "target_r": .real(0...4)]),
        // Range fade
        make("ib-fade-mes-5m", "MES initial-balance fade", .rangeFade, "MES", .m5,
             ["range_minutes": 60, "stop_buffer_ticks": 2, "target_fraction": 0.5,
              "max_trades_per_day": 2, "last_entry_minutes": 330],
             ["range_minutes": .integer(30...120), "stop_buffer_ticks": .integer(0...20),
              "target_fraction": .real(0.25...1)]),
    ]

    private static let bySlug: [String: Archetype] = Dictionary(uniqueKeysWithValues: all.map { ($0.slug, $0) })

    public static func named(_ slug: String) -> Archetype? { bySlug[slug] }

    /// Common defaults every archetype starts from, overridden by its own.
    private static let commonDefaults: [String: ParamValue] = [
        "session": "rth", "contracts": 1, "max_trades_per_day": 1, "max_hold_bars": 0, "last_entry_minutes": 300,
    ]

    private static func make(
        _ slug: String, _ name: String, _ family: Family, _ instrument: String, _ timeframe: Timeframe,
        _ own: [String: ParamValue], _ ownBounds: [String: ParamBound]
    ) -> Archetype {
        var values = commonDefaults
        for (key, value) in own { values[key] = value }
        // Unlisted parameters stay where the archetype put them, except position size,
        // daily trade cap, time exit and entry cutoff, which may move within sane ranges.
        var bounds: [String: ParamBound] = [
            "contracts": .integer(1...5), "max_trades_per_day": .integer(1...10),
            "max_hold_bars": .integer(0...600), "last_entry_minutes": .integer(5...1440),
        ]
        for spec in family.specs where bounds[spec.name] == nil {
            switch values[spec.name] {
            case .text(let text): bounds[spec.name] = .choice([text])
            case .number(let number):
                if case .integer = spec.bound {
                    bounds[spec.name] = .integer(Int(number)...Int(number))
                } else {
                    bounds[spec.name] = .real(number...number)
                }
            case nil: break
            }
        }
        for (key, bound) in ownBounds { bounds[key] = bound }
        return Archetype(slug: slug, name: name, family: family, instrument: instrument, timeframe: timeframe,
                         defaults: ParamValues(values), bounds: bounds)
    }
}
