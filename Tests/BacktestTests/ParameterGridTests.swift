import Backtest
import XCTest

final class ParameterGridTests: XCTestCase {
    func testEveryStarterArchetypeGetsADeterministicBandOfValidCellsAroundItsDefaults() throws {
        for archetype in Archetypes.all {
            let grid = ParameterGrid(archetype: archetype)
            XCTAssertEqual(grid.levers.count, 2, archetype.slug)
            XCTAssertGreaterThan(grid.cells.count, 9, archetype.slug)
            XCTAssertLessThanOrEqual(grid.cells.count, 64, archetype.slug)
            XCTAssertEqual(grid.cells, ParameterGrid(archetype: archetype).cells, "\(archetype.slug) is deterministic")
            XCTAssertTrue(grid.cells.contains { $0.params == archetype.defaults }, "\(archetype.slug) contains its defaults")
            XCTAssertEqual(Set(grid.cells.map(\.params.hash)).count, grid.cells.count, "\(archetype.slug) cells are distinct")
            for cell in grid.cells {
                XCTAssertEqual(try archetype.validate(cell.params), cell.params)
                // Only the two levers move.
                for (key, value) in cell.params.values where !grid.levers.contains(key) {
                    XCTAssertEqual(value, archetype.defaults[key], "\(archetype.slug).\(key)")
                }
            }
            // Edges are marked (a default at an archetype bound is itself an edge), and there is an inside.
            XCTAssertTrue(grid.cells.contains { $0.onEdge }, archetype.slug)
            XCTAssertTrue(grid.cells.contains { !$0.onEdge }, archetype.slug)
        }
    }

    func testTheCellCapHolds() throws {
        let archetype = Archetypes.all[0]
        XCTAssertLessThanOrEqual(ParameterGrid(archetype: archetype, maxCells: 10).cells.count, 10)
        XCTAssertEqual(ParameterGrid(archetype: archetype, maxCells: 1).cells.map(\.params), [archetype.defaults])
        // The side is the largest odd number whose square fits: 9 → 3 × 3, 8 → 1 × 1.
        let orb = try XCTUnwrap(Archetypes.named("orb-30-es-1m"))
        XCTAssertEqual(ParameterGrid(archetype: orb, maxCells: 9).cells.count, 9)
        XCTAssertEqual(ParameterGrid(archetype: orb, maxCells: 8).cells.count, 1)
        XCTAssertEqual(ParameterGrid(archetype: orb).cells.count, 49)
    }
}
