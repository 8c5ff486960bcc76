import Foundation

/// Providers tried in order until one delivers. A failure moves on to the next member;
/// when all fail the fetch fails with every member's reason and every usage record.
/// `BarSources.chain` never puts synthetic data behind a real provider, so a
/// configured provider's failure is never papered over with made-up bars.
public struct ProviderChain: BarSource {
    public let members: [any BarSource]
    /// Configuration remarks worth logging (ignored names, dropped synthetic member).
    public let notes: [String]

    public init(members: [any BarSource], notes: [String] = []) {
        self.members = members
        self.notes = notes
    }

    /// Member providers in order, comma separated, e.g. "databento,polygon".
    public var provider: String { members.map(\.provider).joined(separator: ",") }
    public var providers: [String] { members.map(\.provider) }
    /// True when bars can only be synthetic (no real provider configured).
    public var isSyntheticOnly: Bool { providers == ["synthetic"] }

    public func fetchBars(_ request: BarRequest) throws(MarketDataError) -> BarFetch {
        var usage: [UsageRecord] = []
        var failures: [(provider: String, error: MarketDataError)] = []
        for member in members {
            do throws(MarketDataError) {
                let fetch = try member.fetchBars(request)
                return BarFetch(bars: fetch.bars, source: fetch.source, usage: usage + fetch.usage)
            } catch {
                usage += error.usage
                failures.append((member.provider, error))
            }
        }
        guard let first = failures.first else {
            throw MarketDataError(
                code: MarketDataError.notConfigured, message: "no bar provider is configured",
                suggestedFix: "set DATABENTO_API_KEY, POLYGON_API_KEY or GAUNTLET_DATA_DIR")
        }
        if failures.count == 1 { throw first.error }
        // One shared code stays specific; mixed causes are reported together.
        let sharedCode = Set(failures.map(\.error.code)).count == 1 ? first.error.code : nil
        throw MarketDataError(
            code: sharedCode ?? MarketDataError.allProvidersFailed,
            message: failures.map { "\($0.provider): \($0.error.code) \($0.error.message)" }.joined(separator: "; "),
            suggestedFix: failures.compactMap { failure in failure.error.suggestedFix.map { "\(failure.provider): \($0)" } }
                .joined(separator: "; "),
            usage: usage)
    }
}
