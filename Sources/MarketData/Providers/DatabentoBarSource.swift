import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Market

/// Databento Historical API: `POST {base}/v0/timeseries.get_range`, form-encoded, HTTP
/// Basic auth with the key as user name and an empty password.
///
/// Futures are asked for as the calendar front month (`ES.c.0`, `stype_in=continuous`)
/// in `GLBX.MDP3`; stocks by ticker (`raw_symbol`) in `equityDataset`. We always ask for
/// `ohlcv-1m` in raw CSV (fixed-point 1e-9 prices, ns `ts_event` = bar start, no
/// compression) — the same decoder as the file provider — and resample session-aligned
/// for wider timeframes, so every provider builds 5m/15m/1h bars the same way.
public struct DatabentoBarSource: BarSource {
    public let provider = "databento"
    public static let defaultBaseURL = URL(string: "https://hist.databento.com")!
    public let baseURL: URL
    public let futuresDataset: String
    public let equityDataset: String
    private let client: ProviderHTTPClient

    /// Nil when `apiKey` is empty.
    public init?(
        apiKey: String, baseURL: URL = DatabentoBarSource.defaultBaseURL, futuresDataset: String = "GLBX.MDP3",
        equityDataset: String = "XNAS.ITCH", policy: HTTPPolicy = HTTPPolicy()
    ) {
        guard let key = APIKey(apiKey) else { return nil }
        self.baseURL = baseURL
        self.futuresDataset = futuresDataset
        self.equityDataset = equityDataset
        let basic = Data("\(key.rawValue):".utf8).base64EncodedString()
        client = ProviderHTTPClient(
            provider: "databento", key: key, authorization: "Basic \(basic)", policy: policy,
            keyVariable: "DATABENTO_API_KEY", errorDetail: Self.detail)
    }

    public func fetchBars(_ request: BarRequest) throws(MarketDataError) -> BarFetch {
        let url = baseURL.appendingPathComponent("v0/timeseries.get_range")
        let instrument = request.instrument
        let isFuture = instrument.kind == .future
        let form: [(String, String)] = [
            ("dataset", isFuture ? futuresDataset : equityDataset),
            ("schema", "ohlcv-1m"),
            ("symbols", isFuture ? "\(instrument.symbol).c.0" : instrument.symbol),
            ("stype_in", isFuture ? "continuous" : "raw_symbol"),
            ("start", isoUTC(request.fromEpoch)),
            ("end", isoUTC(request.toEpoch)),
            ("encoding", "csv"),
            ("compression", "none"),
        ]
        var http = URLRequest(url: url)
        http.httpMethod = "POST"
        http.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        http.setValue("text/csv", forHTTPHeaderField: "Accept")
        http.httpBody = Data(FormEncoding.encode(form).utf8)

        var usage: [UsageRecord] = []
        let (response, call) = try client.send(http, endpoint: url.endpointDescription, traceId: request.traceId, usage: &usage)
        let bars: BarSeries
        do throws(MarketDataError) {
            var columns = try Self.decode(response.body)
            let native = try columns.normalizeToTimeframe(default: .m1, origin: "databento response")
            bars = try columns.series(native: native, for: request, origin: "databento \(instrument.symbol)")
        } catch {
            throw client.unreadable(error.message, call: call, httpStatus: response.status, usage: usage)
        }
        guard !bars.isEmpty else {
            usage.append(call.failed(MarketDataError.noData, httpStatus: response.status))
            throw MarketDataError(
                code: MarketDataError.noData,
                message: "databento has no \(instrument.symbol) bars between \(isoUTC(request.fromEpoch)) and "
                    + "\(isoUTC(request.toEpoch))",
                suggestedFix: "choose a window with trading sessions inside the dataset's history", usage: usage)
        }
        usage.append(call.succeeded(bars: bars.count, httpStatus: response.status))
        return BarFetch(bars: bars, source: provider, usage: usage)
    }

    /// An empty body is an empty answer, not a malformed one.
    private static func decode(_ body: Data) throws(MarketDataError) -> BarColumns {
        guard body.contains(where: { $0 != 10 && $0 != 13 && $0 != 32 }) else { return BarColumns() }
        return try BarFileDecoder.decode(body, name: "databento response", options: BarFileOptions())
    }

    /// A minimal authorised call (`GET /v0/metadata.list_datasets`): proves the key and
    /// the network without costing data.
    public func verify(traceId: UUID = UUID()) -> ProviderCheck {
        let url = baseURL.appendingPathComponent("v0/metadata.list_datasets")
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

    /// Databento puts its explanation in `detail`: a string, or an object with a
    /// `message`, or a list of validation problems with `msg`.
    @Sendable static func detail(_ body: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        switch object["detail"] {
        case let text as String: return text
        case let nested as [String: Any]: return nested["message"] as? String ?? nested["msg"] as? String
        case let list as [[String: Any]]:
            let messages = list.compactMap { $0["msg"] as? String ?? $0["message"] as? String }
            return messages.isEmpty ? nil : messages.joined(separator: "; ")
        default: return nil
        }
    }
}
