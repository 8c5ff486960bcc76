import Foundation

/// The cells of a parameter-grid research run for one archetype: a tight band
/// around its defaults over its two main levers (the first two of
/// `Mutation.movableLevers`, so grid and mutation agree on what is worth moving) — each
/// lever at `side` values (default ± up to `side / 2` steps, a step being
/// `Self.band` × the lever's `Mutation.scale`, at least one
/// integer step, clamped to the bounds) — every other parameter at its default.
/// At most `maxCells` cells (the side is the largest odd number whose square fits),
/// deterministic, each validated against the archetype (inconsistent cells, e.g.
/// fast ≥ slow, are left out). docs/research.md.
public struct ParameterGrid: Sendable {
    public struct Cell: Sendable, Equatable {
        public let params: ParamValues
        /// On a boundary of the band (a lever at its first or last value): `edge_of_grid`.
        public let onEdge: Bool
    }

    /// A step as a share of a lever's scale: the band is a small neighbourhood.
    public static let band = 0.1

    public let archetype: Archetype
    /// The levers the grid varies (one or two).
    public let levers: [String]
    public let cells: [Cell]

    public init(archetype: Archetype, maxCells: Int = 64) {
        self.archetype = archetype
        let defaults = archetype.defaults
        let levers = Array(Mutation.movableLevers(of: archetype, at: defaults).prefix(2))
        self.levers = levers
        var side = max(1, Int(Double(max(1, maxCells)).squareRoot()))
        if levers.count == 1 { side = max(1, maxCells) }
        if side % 2 == 0 { side -= 1 }
        let axes = levers.map { Self.values(of: $0, archetype: archetype, side: side) }

        var cells: [Cell] = []
        func visit(_ depth: Int, _ params: ParamValues, _ edge: Bool) {
            if depth == axes.count {
                if let valid = try? archetype.validate(params), cells.count < maxCells {
                    cells.append(Cell(params: valid, onEdge: edge))
                }
                return
            }
            let axis = axes[depth]
            for (i, value) in axis.enumerated() {
                var next = params
                next[levers[depth]] = .number(value)
                visit(depth + 1, next, edge || (axis.count > 1 && (i == 0 || i == axis.count - 1)))
            }
        }
        visit(0, defaults, false)
        self.cells = cells
    }

    /// A lever's band: `side` values centred on its default, deduplicated after clamping.
    static func values(of name: String, archetype: Archetype, side: Int) -> [Double] {
        guard let value = archetype.defaults[name]?.number,
              let (lower, upper, unit) = archetype.bounds[name]?.numericRange else { return [] }
        let scale = Mutation.scale(of: value, lower: lower, upper: upper)
        let step = max(unit, (band * scale * (1 / unit)).rounded() / (1 / unit))
        var out: [Double] = []
        for k in -(side / 2)...(side / 2) {
            let raw = min(upper, max(lower, value + Double(k) * step))
            let landed = (raw * (1 / unit)).rounded() / (1 / unit)
            if out.last != landed { out.append(landed) }
        }
        return out
    }
}
