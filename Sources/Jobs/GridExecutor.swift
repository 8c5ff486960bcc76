import Backtest
import Foundation
import Logging
import Market

/// Runs GRID: plans a research run's cells — for each archetype of the run's scope
/// and each instrument (the request's, else the archetype's own), the cells of its
/// `ParameterGrid` — and hands them to `record_research_plan`, which queues one
/// RESEARCH_CELL job per cell, so any number of workers share the run. No bars here.
/// The payload: {run_id, archetypes, instruments, from, to, max_cells} (start_research_run).
public struct GridExecutor: JobExecutor {
    public var name: String { "grid" }
    public var claimBatchSize: Int { 1 }

    public init() {}

    struct Payload: Decodable {
        let archetypes: [String]
        let instruments: [String]?
        let maxCells: Int?

        enum CodingKeys: String, CodingKey {
            case archetypes, instruments, maxCells = "max_cells"
        }
    }

    public func execute(_ job: ClaimedJob, context: JobContext) -> JobOutcome {
        do throws(JobFailure) {
            let payload: Payload
            do {
                payload = try JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8))
            } catch {
                throw JobFailure(code: "INVALID_PAYLOAD", message: "a GRID job needs {archetypes, instruments, max_cells}: \(error)",
                                 retryable: false)
            }
            var cells: [ResearchPlan.Cell] = []
            for slug in payload.archetypes {
                guard let archetype = Archetypes.named(slug) else {
                    throw JobFailure(code: "UNKNOWN_ARCHETYPE", message: "archetype \(slug) has no engine implementation",
                                     suggestedFix: "use one of the starter archetypes (gauntlet backtest --list)", retryable: false)
                }
                let grid = ParameterGrid(archetype: archetype, maxCells: payload.maxCells ?? 64)
                for symbol in payload.instruments ?? [archetype.instrument] {
                    guard Instruments.spec(symbol) != nil else {
                        throw JobFailure(code: "UNKNOWN_INSTRUMENT", message: "\(symbol) has no contract spec", retryable: false)
                    }
                    cells += grid.cells.map {
                        ResearchPlan.Cell(archetype: slug, instrument: symbol, timeframe: archetype.timeframe.rawValue,
                                          params: $0.params, paramsHash: $0.params.hash, gridEdge: $0.onEdge,
                                          trials: grid.cells.count)
                    }
                }
            }
            guard !cells.isEmpty else {
                throw JobFailure(code: "EMPTY_GRID", message: "the run's scope has no grid cells", retryable: false)
            }
            return JobOutcome(.completed(ResearchPlan(cells: cells)))
        } catch {
            return JobOutcome(.failed(error))
        }
    }
}

/// The `p_result` of GRID for `record_research_plan`.
struct ResearchPlan: JobResult {
    struct Cell: Encodable {
        let archetype: String
        let instrument: String
        let timeframe: String
        let params: ParamValues
        let paramsHash: String
        let gridEdge: Bool
        /// Cells of this archetype's grid: the deflated Sharpe's trials for each of them.
        let trials: Int

        enum CodingKeys: String, CodingKey {
            case archetype, instrument, timeframe, params, paramsHash = "params_hash", gridEdge = "grid_edge", trials
        }
    }

    let cells: [Cell]

    var logSummary: Logger.Metadata { ["cells": "\(cells.count)"] }
}
