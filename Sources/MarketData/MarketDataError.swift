/// Why bars could not be delivered. `code` is stable UPPER_SNAKE and safe to show,
/// `suggestedFix` tells an operator what to change, and `usage` keeps the provider
/// calls made before the failure so they are recorded even when nothing came back.
/// Messages never contain API keys.
public struct MarketDataError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String
    public let suggestedFix: String?
    public var usage: [UsageRecord]

    public init(code: String, message: String, suggestedFix: String? = nil, usage: [UsageRecord] = []) {
        self.code = code
        self.message = message
        self.suggestedFix = suggestedFix
        self.usage = usage
    }

    public var description: String {
        suggestedFix.map { "\(code): \(message) (fix: \($0))" } ?? "\(code): \(message)"
    }
}

/// The stable codes, in one place so callers and docs agree on spelling.
public extension MarketDataError {
    static let notConfigured = "NOT_CONFIGURED"
    static let providerUnauthorized = "PROVIDER_UNAUTHORIZED"
    static let providerRateLimited = "PROVIDER_RATE_LIMITED"
    static let providerBadRequest = "PROVIDER_BAD_REQUEST"
    static let providerUnavailable = "PROVIDER_UNAVAILABLE"
    static let providerBadResponse = "PROVIDER_BAD_RESPONSE"
    static let unsupportedRequest = "UNSUPPORTED_REQUEST"
    static let noData = "NO_DATA"
    static let fileNotFound = "FILE_NOT_FOUND"
    static let badBarData = "BAD_BAR_DATA"
    static let invalidSpec = "INVALID_PROVIDER_SPEC"
    static let allProvidersFailed = "ALL_PROVIDERS_FAILED"
}
