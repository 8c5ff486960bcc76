import Foundation

/// Times one provider call and turns its outcome into a `UsageRecord`, so every
/// provider reports success and failure the same way.
struct ProviderCall {
    let provider: String
    let endpoint: String
    let traceId: UUID
    private let started = ContinuousClock.now

    init(provider: String, endpoint: String, traceId: UUID) {
        self.provider = provider
        self.endpoint = endpoint
        self.traceId = traceId
    }

    var elapsedMs: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    func succeeded(bars: Int, httpStatus: Int? = nil) -> UsageRecord {
        UsageRecord(
            provider: provider, endpoint: endpoint, status: "OK", httpStatus: httpStatus, latencyMs: elapsedMs,
            barsReturned: bars, traceId: traceId)
    }

    func failed(_ code: String, httpStatus: Int? = nil) -> UsageRecord {
        UsageRecord(
            provider: provider, endpoint: endpoint, status: code, httpStatus: httpStatus, latencyMs: elapsedMs,
            barsReturned: 0, traceId: traceId)
    }

    /// The error with this call's failed record appended.
    func failing(_ error: MarketDataError, httpStatus: Int? = nil) -> MarketDataError {
        var copy = error
        copy.usage.append(failed(error.code, httpStatus: httpStatus))
        return copy
    }
}
