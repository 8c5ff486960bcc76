import Backtest
import Foundation
import Logging
import Market

/// Runs GRID: plans a research run's cells — for each (archetype, instrument) pair
/// of the run (start_research_run decides them), the cells of the archetype's
/// `ParameterGrid` — and hands them to `record_research_plan`, which queues one
/// RESEARCH_CELL job per cell, so any number of workers share the run. No bars here.
/// The payload: {run_id, pairs: [{archetype, instrument}], from, to, max_cells}.
public struct GridExecutor: JobExecutor {
    public var name: String { "grid" }
    public var claimBatchSize: Int { 1 }

    public init() {}

    struct Payload: Decodable {
        struct Pair: Decodable {
            let archetype: String
            let instrument: String
        }

        let pairs: [Pair]
        let maxCells: Int

        enum CodingKeys: String, CodingKey {
            case pairs, maxCells = "max_cells"
        }
    }

    public func execute(_ job: ClaimedJob, context: JobContext) -> JobOutcome {
        do throws(JobFailure) {
            let payload: Payload
            do {
                payload = try JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8))
            } catch {
                throw JobFailure(code: "INVALID_PAYLOAD", message: "a GRID job needs {pairs, max_cells}: \(error)",
                                 retryable: false)
            }
            var cells: [ResearchPlan.Cell] = []
            for pair in payload.pairs {
                guard let archetype = Archetypes.named(pair.archetype) else {
                    throw JobFailure(code: "UNKNOWN_ARCHETYPE", message: "archetype \(pair.archetype) has no engine implementation",
                                     suggestedFix: "use one of the starter archetypes (gauntlet backtest --list)", retryable: false)
                }
                guard Instruments.spec(pair.instrument) != nil else {
                    throw JobFailure(code: "UNKNOWN_INSTRUMENT", message: "\(pair.instrument) has no contract spec", retryable: false)
                }
                let grid = ParameterGrid(archetype: archetype, maxCells: payload.maxCells)
                cells += grid.cells.map {
                    ResearchPlan.Cell(archetype: pair.archetype, instrument: pair.instrument,
                                      timeframe: archetype.timeframe.rawValue, params: $0.params, paramsHash: $0.params.hash,
                                      gridEdge: $0.onEdge, trials: grid.cells.count)
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
