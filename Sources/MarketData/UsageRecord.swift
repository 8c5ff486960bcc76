import Foundation

/// One call to a bar provider, successful or not. Jobs persist these so the cost and
/// health of every provider can be audited per trace id.
public struct UsageRecord: Sendable, Codable, Equatable {
    /// "synthetic", "file", "databento" or "polygon".
    public let provider: String
    /// What was called: an HTTP path (never with credentials), a file path, or "generate".
    public let endpoint: String
    /// "OK" or the `MarketDataError` code of the failure.
    public let status: String
    public let httpStatus: Int?
    public let latencyMs: Double
    public let barsReturned: Int
    public let traceId: UUID

    public init(
        provider: String, endpoint: String, status: String, httpStatus: Int?, latencyMs: Double,
        barsReturned: Int, traceId: UUID
    ) {
        self.provider = provider
        self.endpoint = endpoint
        self.status = status
        self.httpStatus = httpStatus
        self.latencyMs = latencyMs
        self.barsReturned = barsReturned
        self.traceId = traceId
    }
}
