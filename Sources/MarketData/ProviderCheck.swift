import Foundation

/// The outcome of a minimal authorised call to a provider (`verify`), for
/// `POST /api/integrations/verify`: ok or the error, with latency. A provider without a
/// key reports NOT_CONFIGURED — never a pretend success.
public struct ProviderCheck: Sendable, Codable, Equatable {
    public let provider: String
    public let ok: Bool
    /// Nil when ok; otherwise the `MarketDataError` code.
    public let code: String?
    public let message: String
    public let suggestedFix: String?
    public let httpStatus: Int?
    public let latencyMs: Double
    public let usage: [UsageRecord]

    public init(
        provider: String, ok: Bool, code: String?, message: String, suggestedFix: String?, httpStatus: Int?,
        latencyMs: Double, usage: [UsageRecord]
    ) {
        self.provider = provider
        self.ok = ok
        self.code = code
        self.message = message
        self.suggestedFix = suggestedFix
        self.httpStatus = httpStatus
        self.latencyMs = latencyMs
        self.usage = usage
    }

    init(provider: String, started: ContinuousClock.Instant, usage: [UsageRecord], error: MarketDataError?) {
        let elapsed = ContinuousClock.now - started
        let latency = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        self.init(
            provider: provider, ok: error == nil, code: error?.code,
            message: error?.message ?? "\(provider) accepted the key", suggestedFix: error?.suggestedFix,
            httpStatus: usage.last?.httpStatus, latencyMs: latency, usage: usage)
    }

    /// The answer for a provider whose key is not set.
    static func notConfigured(_ provider: String, variable: String) -> ProviderCheck {
        ProviderCheck(
            provider: provider, ok: false, code: MarketDataError.notConfigured, message: "\(provider) has no API key",
            suggestedFix: "set \(variable)", httpStatus: nil, latencyMs: 0, usage: [])
    }
}
