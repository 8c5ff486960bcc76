import Foundation

/// Reads one bar file of any supported format. The format is recognised from the
/// content, not the name: zstd and gzip by their magic numbers (then the inner
/// content), DBN by its prelude, JSON lines by a leading `{`, anything else as CSV.
enum BarFileDecoder {
    /// Databento fixed-point prices are integers in units of 1e-9.
    static let fixedPointScale = 1_000_000_000.0

    static func decode(fileAt path: String, options: BarFileOptions) throws(MarketDataError) -> BarColumns {
        try decode(file: try read(path), at: path, options: options)
    }

    /// A bar file's bytes as they are on disk.
    static func read(_ path: String) throws(MarketDataError) -> Data {
        guard let raw = FileManager.default.contents(atPath: path) else {
            throw MarketDataError(
                code: MarketDataError.fileNotFound, message: "cannot read bar file \(path)",
                suggestedFix: "check the path and its permissions")
        }
        return raw
    }

    /// Decodes the bytes `read` gave for the file at `path` (gzip is inflated from the file).
    static func decode(file raw: Data, at path: String, options: BarFileOptions) throws(MarketDataError) -> BarColumns {
        let name = (path as NSString).lastPathComponent
        if raw.starts(with: Gzip.magic) {
            return try decode(try Gzip.decompress(fileAt: path), name: name, options: options)
        }
        return try decode(raw, name: name, options: options)
    }

    /// Decodes in-memory content (a file's or an HTTP body's).
    static func decode(_ content: Data, name: String, options: BarFileOptions) throws(MarketDataError) -> BarColumns {
        let data = content.starts(with: Zstd.magic) ? try Zstd.decompress(content, name: name) : content
        if data.starts(with: DBNDecoder.magic) { return try DBNDecoder.decode(data, name: name) }
        let firstVisible = data.first { $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        if firstVisible == UInt8(ascii: "{") { return try DatabentoJSONDecoder.decode(data, name: name) }
        return try DelimitedBarDecoder.decode(data, name: name, options: options)
    }

    /// Bar-end stamps become bar-start stamps by subtracting the file's bar width.
    static func shiftBarEndStamps(_ bars: inout BarColumns, name: String) throws(MarketDataError) {
        guard let width = bars.nativeInterval else {
            throw bad(name, nil, "cannot tell the bar width of a bar-end stamped file with fewer than two bars")
        }
        bars.shiftStamps(by: width)
    }

    static func bad(_ name: String, _ line: Int?, _ detail: String) -> MarketDataError {
        MarketDataError(
            code: MarketDataError.badBarData, message: line.map { "\(name):\($0): \(detail)" } ?? "\(name): \(detail)",
            suggestedFix: "fix or remove the file; bars are never repaired silently")
    }

    static func noBars(_ name: String) -> MarketDataError {
        MarketDataError(code: MarketDataError.noData, message: "\(name) holds no bars")
    }
}
