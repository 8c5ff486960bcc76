import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Market

/// Polygon REST aggregates with `Authorization: Bearer KEY`, following `next_url`
/// pages (only back to the configured host, so the key never travels elsewhere).
///
/// - Futures: `GET /futures/v1/aggs/{contract}?resolution=1min&window_start.gte=…&
///   window_start.lt=…` (ns), one request series per front-month contract
///   (`FuturesContractCalendar`); results carry `window_start` (ns, bar start) and
///   `open`/`high`/`low`/`close`/`volume`.
/// - Stocks: `GET /v2/aggs/ticker/{T}/range/1/minute/{fromMs}/{toMs}` (both ends
///   inclusive, so `to` is one millisecond before the request's end); results carry `t`
///   (ms, bar start) and `o`/`h`/`l`/`c`/`v`.
/// One-minute bars are fetched and resampled session-aligned, like every provider.
public struct PolygonBarSource: BarSource {
    public let provider = "polygon"
    public static let defaultBaseURL = URL(string: "https://api.polygon.io")!
    public let baseURL: URL
    private let client: ProviderHTTPClient
    private static let pageLimit = 50_000

    /// Nil when `apiKey` is empty.
    public init?(apiKey: String, baseURL: URL = PolygonBarSource.defaultBaseURL, policy: HTTPPolicy = HTTPPolicy()) {
        guard let key = APIKey(apiKey) else { return nil }
        self.baseURL = baseURL
        client = ProviderHTTPClient(
            provider: "polygon", key: key, authorization: "Bearer \(key.rawValue)", policy: policy,
            keyVariable: "POLYGON_API_KEY", errorDetail: Self.detail)
    }

    public func fetchBars(_ request: BarRequest) throws(MarketDataError) -> BarFetch {
        let instrument = request.instrument
        let from = request.fromEpoch, to = request.toEpoch
        var usage: [UsageRecord] = []
        var columns = BarColumns()
        if instrument.kind == .future {
            guard let segments = FuturesContractCalendar.segments(root: instrument.symbol.uppercased(), from: from, to: to) else {
                throw MarketDataError(
                    code: MarketDataError.unsupportedRequest,
                    message: "no contract calendar for \(instrument.symbol), so its Polygon ticker is unknown",
                    suggestedFix: "use databento or file data for this instrument")
            }
            for segment in segments {
                let url = baseURL.appendingPathComponent("futures/v1/aggs/\(segment.ticker)")
                let query = [
                    ("resolution", "1min"), ("window_start.gte", "\(segment.from * 1_000_000_000)"),
                    ("window_start.lt", "\(segment.to * 1_000_000_000)"), ("limit", "\(Self.pageLimit)"),
                    ("sort", "window_start.asc"),
                ]
                try fetchPages(url, query: query, traceId: request.traceId, futures: true, into: &columns, usage: &usage)
            }
        } else {
            let ticker = FormEncoding.escape(instrument.symbol.uppercased())
            let url = baseURL.appendingPathComponent("v2/aggs/ticker/\(ticker)/range/1/minute/\(from * 1000)/\(to * 1000 - 1)")
            let query = [("adjusted", "true"), ("sort", "asc"), ("limit", "\(Self.pageLimit)")]
            try fetchPages(url, query: query, traceId: request.traceId, futures: false, into: &columns, usage: &usage)
        }

        let bars: BarSeries
        do throws(MarketDataError) {
            let native = try columns.normalizeToTimeframe(default: .m1, origin: "polygon response")
            bars = try columns.series(native: native, for: request, origin: "polygon \(instrument.symbol)")
        } catch {
            throw MarketDataError(
                code: MarketDataError.providerBadResponse, message: "polygon sent bars that fail validation: \(error.message)",
                suggestedFix: error.suggestedFix, usage: usage)
        }
        guard !bars.isEmpty else {
            throw MarketDataError(
                code: MarketDataError.noData,
                message: "polygon has no \(instrument.symbol) bars between \(isoUTC(from)) and \(isoUTC(to))",
                suggestedFix: "choose a window with trading sessions inside your plan's history", usage: usage)
        }
        return BarFetch(bars: bars, source: provider, usage: usage)
    }

    private func fetchPages(
        _ url: URL, query: [(String, String)], traceId: UUID, futures: Bool, into columns: inout BarColumns,
        usage: inout [UsageRecord]
    ) throws(MarketDataError) {
        var next: URL? = URL(string: url.absoluteString + "?" + FormEncoding.encode(query))
        var pages = 0
        while let pageURL = next {
            pages += 1
            guard pages <= client.policy.maxPages else {
                throw MarketDataError(
                    code: MarketDataError.providerBadResponse,
                    message: "polygon kept paginating past \(client.policy.maxPages) pages",
                    suggestedFix: "request a shorter window", usage: usage)
            }
            let (response, call) = try client.send(
                URLRequest(url: pageURL), endpoint: pageURL.endpointDescription, traceId: traceId, usage: &usage)
            let page: Page
            do throws(MarketDataError) {
                page = try Self.parse(response.body, futures: futures)
            } catch {
                throw client.unreadable(error.message, call: call, httpStatus: response.status, usage: usage)
            }
            columns.append(contentsOf: page.bars)
            usage.append(call.succeeded(bars: page.bars.count, httpStatus: response.status))
            next = try page.nextURL.map { (link) throws(MarketDataError) -> URL in try sameOrigin(link, usage: usage) }
        }
    }

    /// `next_url` must point back at the configured host: the key goes with every page.
    private func sameOrigin(_ link: String, usage: [UsageRecord]) throws(MarketDataError) -> URL {
        guard let url = URL(string: link), url.scheme == baseURL.scheme, url.host == baseURL.host, url.port == baseURL.port
        else {
            throw MarketDataError(
                code: MarketDataError.providerBadResponse,
                message: "polygon's next_url leaves \(baseURL.host ?? "the configured host"); not followed",
                suggestedFix: "check POLYGON_BASE_URL", usage: usage)
        }
        return url
    }

    struct Page {
        var bars = BarColumns()
        var nextURL: String?
    }

    static func parse(_ body: Data, futures: Bool) throws(MarketDataError) -> Page {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw MarketDataError(code: MarketDataError.providerBadResponse, message: "the body is not a JSON object")
        }
        if let status = object["status"] as? String, status == "ERROR" {
            throw MarketDataError(
                code: MarketDataError.providerBadResponse, message: detail(body) ?? "status ERROR without a reason")
        }
        var page = Page(nextURL: object["next_url"] as? String)
        let results = object["results"] as? [[String: Any]] ?? []
        page.bars.reserve(results.count)
        let keys = futures ? ("window_start", "open", "high", "low", "close", "volume") : ("t", "o", "h", "l", "c", "v")
        for (index, result) in results.enumerated() {
            func number(_ key: String) throws(MarketDataError) -> Double {
                guard let value = result[key] as? NSNumber else {
                    throw MarketDataError(
                        code: MarketDataError.providerBadResponse, message: "result \(index) has no numeric \(key)")
                }
                return value.doubleValue
            }
            guard let stamp = result[keys.0] as? NSNumber else {
                throw MarketDataError(code: MarketDataError.providerBadResponse, message: "result \(index) has no \(keys.0)")
            }
            // window_start is in ns, t in ms; either way round to whole seconds.
            let seconds = futures ? (stamp.int64Value + 500_000_000) / 1_000_000_000 : (stamp.int64Value + 500) / 1000
            page.bars.append(
                seconds, try number(keys.1), try number(keys.2), try number(keys.3), try number(keys.4), try number(keys.5))
        }
        return page
    }

    /// A minimal authorised call (`GET /v1/marketstatus/now`): proves the key and the
    /// network without fetching bars.
    public func verify(traceId: UUID = UUID()) -> ProviderCheck {
        let url = baseURL.appendingPathComponent("v1/marketstatus/now")
        var usage: [UsageRecord] = []
        let started = ContinuousClock.now
        do throws(MarketDataError) {
            let (response, call) = try client.send(URLRequest(url: url), endpoint: url.endpointDescription, traceId: traceId, usage: &usage)
            usage.append(call.succeeded(bars: 0, httpStatus: response.status))
            return ProviderCheck(provider: provider, started: started, usage: usage, error: nil)
        } catch {
            return ProviderCheck(provider: provider, started: started, usage: error.usage, error: error)
        }
    }

    /// Polygon explains failures in `error` (401, 429) or `message` (403, 404).
    @Sendable static func detail(_ body: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        return object["error"] as? String ?? object["message"] as? String
    }
}
