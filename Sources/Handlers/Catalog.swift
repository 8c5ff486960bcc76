import Backtest
import Foundation
import Market

/// The instruments and archetypes defined in Swift (`Instruments.all`,
/// `Archetypes.all`), as the JSON `seed_starter_pack` and `GET /api/archetypes`
/// use. One place turns the code's definitions into data.
enum Catalog {
    struct InstrumentRow: Encodable {
        let symbol, name, currency, exchange, kind: String
        let tick_size, multiplier, tick_value, commission_per_side: Double
        let initial_margin: Double?
    }

    struct ArchetypeRow: Encodable {
        let slug, name, family, family_name, instrument, timeframe, params_hash: String
        let default_params: ParamValues
        let param_bounds: [String: Bound]
    }

    /// A mutation range in plain JSON: `{"type":"integer","min":5,"max":60}`.
    struct Bound: Encodable {
        let type: String
        var min: Double? = nil
        var max: Double? = nil
        var options: [String]? = nil

        init(_ bound: ParamBound) {
            switch bound {
            case .integer(let r): type = "integer"; min = Double(r.lowerBound); max = Double(r.upperBound)
            case .real(let r): type = "number"; min = r.lowerBound; max = r.upperBound
            case .choice(let o): type = "choice"; options = o
            }
        }
    }

    static var instruments: [InstrumentRow] {
        Instruments.all.map {
            InstrumentRow(symbol: $0.symbol, name: $0.name, currency: $0.currency, exchange: $0.exchange,
                          kind: $0.kind.rawValue, tick_size: $0.tickSize, multiplier: $0.multiplier,
                          tick_value: $0.tickValue, commission_per_side: $0.commissionPerSide,
                          initial_margin: $0.initialMargin)
        }
    }

    static var archetypes: [ArchetypeRow] {
        Archetypes.all.map { a in
            ArchetypeRow(slug: a.slug, name: a.name, family: a.family.rawValue, family_name: a.family.displayName,
                         instrument: a.instrument, timeframe: a.timeframe.rawValue, params_hash: a.defaults.hash,
                         default_params: a.defaults, param_bounds: a.bounds.mapValues(Bound.init))
        }
    }
}
