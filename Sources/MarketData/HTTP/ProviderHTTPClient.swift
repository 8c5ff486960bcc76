import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What the Databento and Polygon clients share: authorised requests, bounded retries
/// on rate limits, a usage record for every attempt, and HTTP failures mapped to
/// stable error codes with the provider's own explanation (never the key).
struct ProviderHTTPClient: Sendable {
    let provider: String
    let key: APIKey
    /// The Authorization header value, e.g. "Bearer …".
    let authorization: String
    let policy: HTTPPolicy
    /// The configuration variable an operator fixes when the key is refused.
    let keyVariable: String
    /// The provider's error text from an error body.
    let errorDetail: @Sendable (Data) -> String?

    /// Sends `request` (authorised here), retrying on 429 and on 503 with Retry-After.
    /// Failed attempts are appended to `usage`; on success the caller records the
    /// returned call once it knows how many bars the body held.
    func send(
        _ request: URLRequest, endpoint: String, traceId: UUID, usage: inout [UsageRecord]
    ) throws(MarketDataError) -> (HTTPResponse, ProviderCall) {
        var request = request
        request.setValue(authorization, forHTTPHeaderField: "Authorization")
        request.timeoutInterval = policy.timeout
        var attempt = 0
        while true {
            attempt += 1
            let call = ProviderCall(provider: provider, endpoint: endpoint, traceId: traceId)
            let response: HTTPResponse
            switch HTTPTransport.send(request) {
            case .failure(let failure):
                let error = MarketDataError(
                    code: MarketDataError.providerUnavailable,
                    message: key.redacting("\(provider) could not be reached at \(endpoint): \(failure.reason)"),
                    suggestedFix: "check the network and the \(provider) base URL, then retry")
                usage.append(call.failed(error.code))
                throw MarketDataError(code: error.code, message: error.message, suggestedFix: error.suggestedFix, usage: usage)
            case .success(let answer):
                response = answer
            }
            if (200..<300).contains(response.status) { return (response, call) }

            let error = self.error(for: response, endpoint: endpoint)
            usage.append(call.failed(error.code, httpStatus: response.status))
            let retryable = response.status == 429 || (response.status == 503 && response.headers["retry-after"] != nil)
            if retryable, attempt <= policy.maxRetries {
                let delay = policy.retryDelay(retryAfter: response.headers["retry-after"], attempt: attempt)
                Thread.sleep(forTimeInterval: delay)
                continue
            }
            throw MarketDataError(code: error.code, message: error.message, suggestedFix: error.suggestedFix, usage: usage)
        }
    }

    private func error(for response: HTTPResponse, endpoint: String) -> MarketDataError {
        let detail = errorDetail(response.body).map { ": \($0)" } ?? ""
        let message = key.redacting("\(provider) answered HTTP \(response.status) for \(endpoint)\(detail)")
        switch response.status {
        case 401, 403:
            return MarketDataError(
                code: MarketDataError.providerUnauthorized, message: message,
                suggestedFix: "check \(keyVariable) and that the subscription covers this data")
        case 429:
            return MarketDataError(
                code: MarketDataError.providerRateLimited, message: message,
                suggestedFix: "retry later or lower the number of workers calling \(provider)")
        case 400, 404, 409, 422:
            return MarketDataError(
                code: MarketDataError.providerBadRequest, message: message,
                suggestedFix: "check the symbol, timeframe and window of the request")
        case 500...:
            return MarketDataError(
                code: MarketDataError.providerUnavailable, message: message,
                suggestedFix: "retry later; \(provider) is having trouble")
        default:
            return MarketDataError(code: MarketDataError.providerBadResponse, message: message)
        }
    }

    /// A body that should hold bars but cannot be read.
    func unreadable(_ detail: String, call: ProviderCall, httpStatus: Int, usage: [UsageRecord]) -> MarketDataError {
        MarketDataError(
            code: MarketDataError.providerBadResponse, message: key.redacting("\(provider) sent an unreadable answer: \(detail)"),
            suggestedFix: "retry; if it persists, report it with the trace id",
            usage: usage + [call.failed(MarketDataError.providerBadResponse, httpStatus: httpStatus)])
    }
}

extension URL {
    /// The URL for usage records and messages: path only, so neither query
    /// parameters nor user info can carry a credential into a log.
    var endpointDescription: String {
        path.isEmpty ? "/" : path
    }
}
