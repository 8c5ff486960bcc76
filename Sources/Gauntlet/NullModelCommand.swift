import ArgumentParser
import Backtest
import Foundation
import Market

/// `gauntlet nullmodel`: the null-model test of issue 10 (`NullModelStudy`) from the
/// command line. Prints a table per archetype and exits 1 when any archetype's mean
/// gross Sharpe is outside the tolerance or it never trades.
struct NullModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nullmodel",
        abstract: "Test that synthetic bars are a null model: no starter archetype earns a gross Sharpe on them.",
        discussion: """
            For each seed, every starter archetype runs once with its default parameters and zero \
            costs on synthetic bars of its instrument and timeframe over the last --sessions sessions \
            ending on --end (one plain window, no folds). Passes when every archetype's mean Sharpe is \
            within ±--tolerance of the centre and its mean trade count is above zero; exits 1 otherwise. \
            Reading it: one 60-session run's annualised Sharpe has an SD of about √(252/60) ≈ 2, so the \
            mean of 200 seeds has a standard error of about 0.145 and ±0.25 is only about 1.7 SE: with \
            20 archetypes some fail by chance even on a perfect null (the summary says how many to \
            expect; use more seeds for a sharp test). And the Sharpe estimator is biased when daily PnL \
            is skewed, even at zero expected PnL (about −skew/(2n) per day): --centre bootstrap compares \
            each archetype with the mean Sharpe of its own runs' daily PnL with the mean removed and the \
            days resampled — a zero-edge version with the same shape. See docs/market-data.md, "Null model".
            """)

    @Option(help: "Number of synthetic seeds.")
    var seeds = 200

    @Option(help: "First seed.")
    var firstSeed: UInt64 = 1

    @Option(help: "Sessions per run.")
    var sessions = 60

    @Option(help: "Last trade date of every run, YYYY-MM-DD.")
    var end = "2025-06-30"

    @Option(help: "Largest |mean Sharpe − centre| that passes.")
    var tolerance = 0.25

    @Option(help: "What mean Sharpe is compared with: zero or bootstrap (the Sharpe of the runs' own zero-mean daily PnL).")
    var centre = NullModelStudy.Centre.zero

    @Option(help: "Only these archetypes (comma-separated slugs).")
    var archetypes: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard seeds >= 2 else { throw ValidationError("--seeds must be at least 2") }
        guard sessions >= 2 else { throw ValidationError("--sessions must be at least 2") }
        guard tolerance > 0 else { throw ValidationError("--tolerance must be positive") }
    }

    func run() throws {
        var chosen = Archetypes.all
        if let archetypes {
            chosen = try archetypes.split(separator: ",").map { slug in
                guard let a = Archetypes.named(slug.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("unknown archetype \(slug); one of: " + Archetypes.all.map(\.slug).joined(separator: ", "))
                }
                return a
            }
        }
        let study = NullModelStudy(configuration: .init(
            seeds: firstSeed..<(firstSeed + UInt64(seeds)), sessions: sessions,
            end: try StudyWindow.date(end, "--end"), tolerance: tolerance, centre: centre, archetypes: chosen))
        FileHandle.standardError.write(Data("nullmodel: \(chosen.count) archetypes × \(seeds) seeds × \(sessions) sessions\n".utf8))
        let report = try study.run { message in
            FileHandle.standardError.write(Data("nullmodel: \(message)\n".utf8))
        }
        if json {
            FileHandle.standardOutput.write(try NullModelReport.json(report))
            FileHandle.standardOutput.write(Data("\n".utf8))
        } else {
            print(NullModelReport.markdown(report))
        }
        if !report.passed { throw ExitCode(1) }
    }
}

extension NullModelStudy.Centre: ExpressibleByArgument {}
