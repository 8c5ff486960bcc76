import Foundation
import Market

/// One parameter value: a number (integers are whole numbers) or a choice.
public enum ParamValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case number(Double)
    case text(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .number(try container.decode(Double.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .number(let value):
            // Whole numbers print without ".0" so canonical JSON matches what people type.
            if value == value.rounded(), abs(value) < 9e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        }
    }

    public var description: String {
        switch self {
        case .text(let text): "\"\(text)\""
        case .number(let value): value == value.rounded() && abs(value) < 9e15 ? "\(Int64(value))" : "\(value)"
        }
    }

    var number: Double? { if case .number(let v) = self { v } else { nil } }
    var text: String? { if case .text(let t) = self { t } else { nil } }
}

/// A complete, validated parameter set: keys are the family's parameter names.
/// Encodes as a JSON object; `CanonicalJSON` sorts its keys for `params_hash`.
public struct ParamValues: Sendable, Hashable, Codable {
    public private(set) var values: [String: ParamValue]

    public init(_ values: [String: ParamValue]) {
        self.values = values
    }

    public subscript(name: String) -> ParamValue? {
        get { values[name] }
        set { values[name] = newValue }
    }

    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: ParamValue].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// SHA-256 hex of the canonical JSON (sorted keys, no whitespace).
    public var hash: String {
        // Encoding a dictionary of numbers and strings cannot fail.
        (try? paramsHash(self)) ?? ""
    }

    public var canonicalJSON: String {
        (try? CanonicalJSON.string(self)) ?? "{}"
    }

    func int(_ name: String) -> Int { Int(number(name)) }

    func number(_ name: String) -> Double {
        guard let value = values[name]?.number else { preconditionFailure("validated params lack number \(name)") }
        return value
    }

    func text(_ name: String) -> String {
        guard let value = values[name]?.text else { preconditionFailure("validated params lack choice \(name)") }
        return value
    }
}

/// The range a parameter may take: numbers within bounds (integers when `integer`),
/// or one of a list of choices.
public enum ParamBound: Sendable, Hashable, Codable, CustomStringConvertible {
    case integer(ClosedRange<Int>)
    case real(ClosedRange<Double>)
    case choice([String])

    /// The numeric span of the bound and the step values land on (1 for integers,
    /// 0.01 for reals); nil for a choice.
    var numericRange: (lower: Double, upper: Double, step: Double)? {
        switch self {
        case .integer(let range): (Double(range.lowerBound), Double(range.upperBound), 1)
        case .real(let range): (range.lowerBound, range.upperBound, 0.01)
        case .choice: nil
        }
    }

    func admits(_ value: ParamValue) -> Bool {
        switch (self, value) {
        case (.integer(let range), .number(let v)):
            return v == v.rounded() && v >= Double(range.lowerBound) && v <= Double(range.upperBound)
        case (.real(let range), .number(let v)):
            return v.isFinite && range.contains(v)
        case (.choice(let options), .text(let t)):
            return options.contains(t)
        default:
            return false
        }
    }

    /// True when every value this bound admits is also admitted by `outer`.
    func isWithin(_ outer: ParamBound) -> Bool {
        switch (self, outer) {
        case (.integer(let inner), .integer(let o)): o.contains(inner.lowerBound) && o.contains(inner.upperBound)
        case (.real(let inner), .real(let o)): o.contains(inner.lowerBound) && o.contains(inner.upperBound)
        case (.choice(let inner), .choice(let o)): inner.allSatisfy(o.contains)
        default: false
        }
    }

    public var description: String {
        switch self {
        case .integer(let r): "an integer in \(r.lowerBound)...\(r.upperBound)"
        case .real(let r): "a number in \(r.lowerBound)...\(r.upperBound)"
        case .choice(let options): "one of " + options.map { "\"\($0)\"" }.joined(separator: ", ")
        }
    }
}

/// A family parameter: its name in JSON, the hard bounds of the family, and what it means.
public struct ParamSpec: Sendable, Hashable {
    public let name: String
    public let bound: ParamBound
    public let meaning: String
}

/// Why a parameter set was refused.
public struct ParamsError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidJSON = "PARAMS_INVALID_JSON"
        case unknownKey = "PARAMS_UNKNOWN_KEY"
        case wrongType = "PARAMS_WRONG_TYPE"
        case outOfBounds = "PARAMS_OUT_OF_BOUNDS"
        case inconsistent = "PARAMS_INCONSISTENT"
    }

    public let code: Code
    public let message: String
    public var description: String { "\(code.rawValue): \(message)" }
}

/// The parameters every family shares; the simulator enforces them identically.
enum CommonParams {
    static let specs: [ParamSpec] = [
        ParamSpec(name: "session", bound: .choice(["rth", "globex"]),
                  meaning: "trading window: regular hours (rth) or the whole Globex session (globex)"),
        ParamSpec(name: "contracts", bound: .integer(1...10), meaning: "contracts per trade (no pyramiding)"),
        ParamSpec(name: "max_trades_per_day", bound: .integer(1...20), meaning: "entries per session day"),
        ParamSpec(name: "max_hold_bars", bound: .integer(0...2000),
                  meaning: "time exit after this many bars in the trade (0 = none)"),
        ParamSpec(name: "last_entry_minutes", bound: .integer(5...1440),
                  meaning: "no entry signal from a bar closing later than this many minutes after the window opens"),
    ]
}

/// Typed parameters of one family, built from a validated `ParamValues`.
protocol FamilyParameters: Sendable {
    static var familySpecs: [ParamSpec] { get }
    init(_ values: ParamValues)
}

extension FamilyParameters {
    static var specs: [ParamSpec] { CommonParams.specs + familySpecs }
}

/// Rules shared by all families, read from the common parameters.
struct TradingRules: Sendable {
    let useRegularHours: Bool
    let contracts: Int
    let maxTradesPerDay: Int
    let maxHoldBars: Int
    let lastEntryMinutes: Int

    init(useRegularHours: Bool, contracts: Int, maxTradesPerDay: Int, maxHoldBars: Int, lastEntryMinutes: Int) {
        self.useRegularHours = useRegularHours
        self.contracts = contracts
        self.maxTradesPerDay = maxTradesPerDay
        self.maxHoldBars = maxHoldBars
        self.lastEntryMinutes = lastEntryMinutes
    }

    init(_ values: ParamValues) {
        useRegularHours = values.text("session") == "rth"
        contracts = values.int("contracts")
        maxTradesPerDay = values.int("max_trades_per_day")
        maxHoldBars = values.int("max_hold_bars")
        lastEntryMinutes = values.int("last_entry_minutes")
    }
}
