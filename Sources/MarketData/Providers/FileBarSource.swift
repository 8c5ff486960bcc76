import Foundation
import Market

/// Bars from files: one file, or a directory searched recursively for files whose
/// path names the instrument (a path component or a `_`/`.`/`-` separated token equal
/// to the symbol, e.g. `ES_front_month_1m_utc.csv` or `MNQ/2024-01.dbn.zst`).
/// Formats: generic CSV, Databento CSV/JSON lines/DBN (raw or pretty, plain or zstd),
/// gzip-compressed CSV. When files hold several widths, the requested one wins, else
/// the widest that divides it (resampled to the request).
public struct FileBarSource: BarSource {
    public let provider = "file"
    public let path: String
    public let options: BarFileOptions

    private static let barExtensions: Set<String> = ["csv", "txt", "json", "jsonl", "ndjson", "dbn"]
    private static let compressionExtensions: Set<String> = ["zst", "gz"]

    public init(path: String, options: BarFileOptions = BarFileOptions()) {
        self.path = path
        self.options = options
    }

    public func fetchBars(_ request: BarRequest) throws(MarketDataError) -> BarFetch {
        let call = ProviderCall(provider: provider, endpoint: path, traceId: request.traceId)
        do throws(MarketDataError) {
            let bars = try load(request)
            guard !bars.isEmpty else {
                throw MarketDataError(
                    code: MarketDataError.noData,
                    message: "no \(request.instrument.symbol) bars in \(path) between "
                        + "\(isoUTC(request.fromEpoch)) and \(isoUTC(request.toEpoch))",
                    suggestedFix: "choose a window the files cover")
            }
            return BarFetch(bars: bars, source: provider, usage: [call.succeeded(bars: bars.count)])
        } catch {
            throw call.failing(error)
        }
    }

    /// A directory covers the symbols its files are named after; a single file, the
    /// symbols its own name carries (`ES_front_month_1m_utc.csv` is ES, `bars.csv` is
    /// nothing) — though asked directly it serves whatever it is asked for. A missing
    /// path covers everything, so the fetch fails with FILE_NOT_FOUND rather than the
    /// instrument quietly going elsewhere.
    public func covers(_ instrument: Instrument) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return true }
        guard isDirectory.boolValue else { return Self.names(instrument.symbol, (path as NSString).lastPathComponent) }
        return (try? barFiles(for: instrument.symbol)).map { !$0.isEmpty } ?? false
    }

    /// From the first bar's start to the last bar's end over the files that would be
    /// read for the instrument (gaps between and inside files are not reported). Each
    /// file's span is cached by path, size and modification time (`FileSpans`). Nil
    /// when no file names the symbol or one cannot be read — the fetch then says why.
    public func coverage(for instrument: Instrument) -> Range<Int64>? {
        guard let files = try? barFiles(for: instrument.symbol) else { return nil }
        var from = Int64.max, to = Int64.min
        for file in files {
            let span: Range<Int64>?
            do throws(MarketDataError) {
                span = try FileSpans.shared.span(of: file, options: options)
            } catch {
                return nil
            }
            guard let span else { continue }
            from = min(from, span.lowerBound)
            to = max(to, span.upperBound)
        }
        return from < to ? from..<to : nil
    }

    private func load(_ request: BarRequest) throws(MarketDataError) -> BarSeries {
        let files = try barFiles(for: request.instrument.symbol)
        var byTimeframe: [Timeframe: [BarColumns]] = [:]
        for file in files {
            var bars = try BarFileDecoder.decode(fileAt: file, options: options)
            if bars.isEmpty { continue }
            let width = try bars.normalizeToTimeframe(default: request.timeframe, origin: file)
            byTimeframe[width, default: []].append(bars)
        }
        let usable = byTimeframe.keys.filter { request.timeframe.seconds % $0.seconds == 0 }
        guard let native = usable.max(by: { $0.seconds < $1.seconds }), let parts = byTimeframe[native] else {
            let found = byTimeframe.keys.map(\.rawValue).sorted().joined(separator: ", ")
            throw MarketDataError(
                code: byTimeframe.isEmpty ? MarketDataError.noData : MarketDataError.unsupportedRequest,
                message: byTimeframe.isEmpty ? "\(path) holds no bars for \(request.instrument.symbol)"
                    : "\(path) holds \(found) bars, which cannot make \(request.timeframe.rawValue) bars",
                suggestedFix: "provide bars at \(request.timeframe.rawValue) or a finer width that divides it")
        }
        // Files are joined in time order; overlapping files then fail validation by row.
        var merged = BarColumns()
        for part in parts.sorted(by: { $0.timestamps[0] < $1.timestamps[0] }) { merged.append(contentsOf: part) }
        return try merged.series(native: native, for: request, origin: path)
    }

    private func barFiles(for symbol: String) throws(MarketDataError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MarketDataError(
                code: MarketDataError.fileNotFound, message: "no file or directory at \(path)",
                suggestedFix: "set GAUNTLET_DATA_DIR (or file:PATH) to an existing bar file or directory")
        }
        guard isDirectory.boolValue else { return [path] }

        let root = URL(fileURLWithPath: path)
        var matches: [String] = []
        let items = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
        while let url = items?.nextObject() as? URL {
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count))
            guard Self.isBarFile(url.lastPathComponent), Self.names(symbol, relative) else { continue }
            matches.append(url.path)
        }
        guard !matches.isEmpty else {
            throw MarketDataError(
                code: MarketDataError.noData, message: "no bar file for \(symbol) under \(path)",
                suggestedFix: "name files after the symbol, e.g. \(symbol)_1m.csv or \(symbol)/2024.dbn.zst")
        }
        return matches.sorted()
    }

    static func isBarFile(_ name: String) -> Bool {
        var parts = name.lowercased().split(separator: ".")
        if let last = parts.last, compressionExtensions.contains(String(last)) { parts.removeLast() }
        guard parts.count >= 2, let ext = parts.last else { return false }
        return barExtensions.contains(String(ext))
    }

    /// True when a token of the relative path equals the symbol, so "ES" matches
    /// `ES_front_month.csv` but not `MES_1m.csv`.
    static func names(_ symbol: String, _ relativePath: String) -> Bool {
        let wanted = symbol.uppercased()
        return relativePath.uppercased().split { !$0.isLetter && !$0.isNumber }.contains { $0 == wanted }
    }
}
