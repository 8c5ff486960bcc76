import Foundation
import Market

/// Providers tried in order until one delivers. A failure moves on to the next member;
/// when all fail the fetch fails with every member's reason and every usage record.
/// Which members an instrument goes to is `route(for:)`, the one rule; `BarSources.chain`
/// never puts synthetic data behind a real provider for the same instrument, so a
/// configured provider's failure is never papered over with made-up bars.
public struct ProviderChain: BarSource {
    public let members: [any BarSource]
    /// Serves the instruments no member covers, or nil when every instrument goes to
    /// the members. `BarSources.chain` sets it (to synthetic) only when bar files are
    /// the sole real provider: files hold some instruments, not all.
    public let uncoveredSource: (any BarSource)?
    /// Configuration remarks worth logging (ignored names, dropped synthetic member).
    public let notes: [String]

    public init(members: [any BarSource], uncoveredSource: (any BarSource)? = nil, notes: [String] = []) {
        self.members = members
        self.uncoveredSource = uncoveredSource
        self.notes = notes
    }

    /// Every provider the chain may use, comma separated, e.g. "databento,polygon" or
    /// "file,synthetic" (files where they cover, synthetic elsewhere).
    public var provider: String { providers.joined(separator: ",") }
    public var providers: [String] { (members + [uncoveredSource].compactMap { $0 }).map(\.provider) }
    /// True when bars can only be synthetic (no real provider configured).
    public var isSyntheticOnly: Bool { providers == ["synthetic"] }

    /// The sources that serve `instrument`, in the order they are tried — the rule,
    /// in one place:
    /// 1. the members that cover it (APIs cover everything; a file source covers the
    ///    symbols its files are named after);
    /// 2. else the chain's `uncoveredSource` (synthetic) when it has one;
    /// 3. else every member, so each reports why it has nothing.
    /// A covered instrument never reaches `uncoveredSource`, so a failing file fetch
    /// fails instead of turning into synthetic bars.
    public func route(for instrument: Instrument) -> [any BarSource] {
        let covering = members.filter { $0.covers(instrument) }
        if !covering.isEmpty { return covering }
        if let uncoveredSource { return [uncoveredSource] }
        return members
    }

    public func covers(_ instrument: Instrument) -> Bool {
        route(for: instrument).contains { $0.covers(instrument) }
    }

    /// The coverage of the source that serves `instrument` first.
    public func coverage(for instrument: Instrument) -> Range<Int64>? {
        route(for: instrument).first?.coverage(for: instrument)
    }

    public func fetchBars(_ request: BarRequest) throws(MarketDataError) -> BarFetch {
        var usage: [UsageRecord] = []
        var failures: [(provider: String, error: MarketDataError)] = []
        for member in route(for: request.instrument) {
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
