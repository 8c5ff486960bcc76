import ArgumentParser
import Handlers

@main
struct Gauntlet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gauntlet",
        abstract: "Autonomous research platform for futures trading bots.",
        version: GauntletVersion.current,
        subcommands: [HostCommand.self, MigrateCommand.self, BacktestCommand.self, BenchBacktestCommand.self, WorkerCommand.self, ProofCommand.self, TimerCommand.self, DataSourcesCommand.self, CalibrateCommand.self, NullModelCommand.self, RunnerCommand.self, DoctorCommand.self]
    )
}
