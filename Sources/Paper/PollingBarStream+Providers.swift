import Foundation
import Logging
import Market
import MarketData

/// Polling streams for the runner's `--source databento|polygon`: the provider is built
/// from the environment the way every other part builds it (`BarSources.make`: the key
/// variables, the base-URL overrides, NOT_CONFIGURED without a key), and polled with
/// that provider's documented publication latency unless the caller gives one.
extension PollingBarStream {
    /// The providers a polling stream runs on.
    public static let providers = ["databento", "polygon"]

    /// Clock seconds after a bar's end before the provider's historical endpoint is
    /// documented to hold it; nil for a provider that is not polled.
    public static func defaultLatency(for provider: String) -> TimeInterval? {
        switch provider.lowercased() {
        case "databento":
            // Databento's HTTP API serves historical data only: "Due to licensing
            // limitations, we treat any data from the last 24 hours as live data"
            // (https://databento.com/docs/faqs). Accounts licensed for delayed intraday
            // historical data ("within the exchange's live data restrictions",
            // https://databento.com/docs/quickstart) can pass a shorter latency.
            86_400
        case "polygon":
            // Massive (formerly Polygon) futures plans: Starter and Developer are
            // "10-minute delayed", Advanced and Business real-time — plan table of
            // https://massive.com/docs/websocket/futures/aggregates-per-minute; the same
            // plans serve GET /futures/v1/aggs (https://massive.com/docs/rest/futures/aggregates).
            600
        default:
            nil
        }
    }

    /// A polling stream of `instrument` from `source` ("databento" or "polygon"), its
    /// key and base URL from `environment`. `latency` nil uses `defaultLatency(for:)`.
    /// Throws INVALID_PROVIDER_SPEC for another source, NOT_CONFIGURED without a key;
    /// no message carries a key.
    public static func make(
        source: String, instrument: Instrument, timeframe: Timeframe = .m1,
        environment: [String: String] = ProcessInfo.processInfo.environment, latency: TimeInterval? = nil,
        pollInterval: TimeInterval = 10, backoff: ReconnectBackoff = ReconnectBackoff(), startingAt start: Int64? = nil,
        now: @escaping () -> Date = Date.init, clockRate: Double = 1, logger: Logger? = nil, traceId: UUID = UUID()
    ) throws(MarketDataError) -> PollingBarStream {
        let name = source.trimmingCharacters(in: .whitespaces).lowercased()
        guard let documented = defaultLatency(for: name) else {
            throw MarketDataError(
                code: MarketDataError.invalidSpec, message: "cannot poll '\(source)' for bars",
                suggestedFix: "use \(providers.joined(separator: " or "))")
        }
        if let latency, !(latency >= 0 && latency.isFinite) {
            throw MarketDataError(
                code: MarketDataError.invalidSpec, message: "the polling latency must be a finite number of seconds ≥ 0",
                suggestedFix: "pass the seconds after a bar's end before \(name) publishes it")
        }
        guard pollInterval > 0, pollInterval.isFinite, clockRate > 0, clockRate.isFinite else {
            throw MarketDataError(
                code: MarketDataError.invalidSpec, message: "the poll interval and clock rate must be positive",
                suggestedFix: "poll every few seconds, e.g. 10")
        }
        let provider = try BarSources.make(spec: name, environment: environment)
        return PollingBarStream(
            provider: provider, instrument: instrument, timeframe: timeframe, latency: latency ?? documented,
            pollInterval: pollInterval, backoff: backoff, startingAt: start, now: now, clockRate: clockRate,
            secrets: credentials(in: environment), logger: logger, traceId: traceId)
    }

    /// Values of the environment's credential variables (`*_API_KEY`, `*_TOKEN`): the
    /// stream masks them in what it logs, a last guard behind the providers' own.
    static func credentials(in environment: [String: String]) -> [String] {
        environment.compactMap { name, value in
            let name = name.uppercased()
            guard name.hasSuffix("_API_KEY") || name.hasSuffix("_TOKEN") else { return nil }
            let value = value.trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }
    }
}
