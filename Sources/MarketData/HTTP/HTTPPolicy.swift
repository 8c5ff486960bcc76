import Foundation

/// Limits for provider HTTP calls: a timeout per request and bounded, capped retries
/// for rate limits (429, or 503 with Retry-After), so a worker thread never waits
/// unbounded on a provider.
public struct HTTPPolicy: Sendable, Equatable {
    /// Seconds before one request is abandoned.
    public var timeout: Double
    /// Further attempts after a rate-limited answer.
    public var maxRetries: Int
    /// Upper bound for one wait, whatever Retry-After asks for.
    public var maxRetryDelay: Double
    /// Upper bound on pages followed through `next_url`.
    public var maxPages: Int

    public init(timeout: Double = 30, maxRetries: Int = 3, maxRetryDelay: Double = 20, maxPages: Int = 500) {
        self.timeout = timeout
        self.maxRetries = maxRetries
        self.maxRetryDelay = maxRetryDelay
        self.maxPages = maxPages
    }

    /// Seconds to wait before retry number `attempt` (1-based): the server's
    /// Retry-After (seconds or an HTTP date) when given, else 1, 2, 4 … s; capped.
    func retryDelay(retryAfter: String?, attempt: Int, now: Date = Date()) -> Double {
        let backoff = pow(2, Double(attempt - 1))
        guard let header = retryAfter?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            return min(backoff, maxRetryDelay)
        }
        if let seconds = Double(header) { return max(0, min(seconds, maxRetryDelay)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: header) { return max(0, min(date.timeIntervalSince(now), maxRetryDelay)) }
        return min(backoff, maxRetryDelay)
    }
}
