/// Stands in for a provider that was asked for by name but cannot be built (no key,
/// no path, a bad base URL), so fetching through it fails loudly with the reason
/// instead of the provider being skipped.
struct MisconfiguredSource: BarSource {
    let provider: String
    let error: MarketDataError

    func fetchBars(_ request: BarRequest) throws(MarketDataError) -> BarFetch {
        throw error
    }
}
