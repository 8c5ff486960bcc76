import Foundation

/// Comma-separated bars, recognised by header: generic `ts,open,high,low,close,volume`
/// (and aliases such as `ts_utc`, `timestamp`, `o`, `h`, `l`, `c`, `v`, extra columns
/// ignored), and Databento's CSV (`ts_event,rtype,…`), raw (fixed-point 1e-9 prices,
/// ns stamps) or pretty (decimal prices, ISO stamps). A file without a header must
/// have the six generic columns in order.
///
/// Parsed as bytes, in place: no `String` per line or field, and decimal prices take
/// the exact fast path of `DecimalParser` (a million-bar file is decoded in a fraction of
/// a second; the text path took 3 s).
enum DelimitedBarDecoder {
    static func decode(_ data: Data, name: String, options: BarFileOptions) throws(MarketDataError) -> BarColumns {
        let result = data.withUnsafeBytes { raw -> Result<BarColumns, MarketDataError> in
            Result { () throws(MarketDataError) in try decode(raw.bindMemory(to: UInt8.self), name: name, options: options) }
        }
        return try result.get()
    }

    private static func decode(_ text: UnsafeBufferPointer<UInt8>, name: String, options: BarFileOptions) throws(MarketDataError) -> BarColumns {
        var lines = LineCursor(text)
        var fields = FieldSplitter()
        // Blank lines are skipped but still counted, so errors name the real line number.
        guard let first = lines.nextNonBlank() else { throw BarFileDecoder.noBars(name) }

        var parser = TimestampParser(naiveZone: options.naiveTimeZone)
        fields.split(first.bytes, in: text)
        let columns: Columns
        var pending: Line? = first
        if fields.count > 0, parser.parse(fields.trimmed(0, in: text)) == nil {
            columns = try Columns(header: (0..<fields.count).map { fields.text($0, in: text) }, name: name)
            pending = nil
        } else {
            columns = Columns(time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5, isDatabento: false)
        }

        // One bar per line at most: reserved once, no column regrows (or is left half empty).
        var bars = BarColumns(capacity: lines.newlines + 1)
        // Databento CSV carries fixed-point integers unless it was written with pretty_px.
        var scale: Double?
        while let line = pending ?? lines.nextNonBlank() {
            pending = nil
            fields.split(line.bytes, in: text)
            guard fields.count > columns.widest else {
                throw BarFileDecoder.bad(name, line.number, "expected at least \(columns.widest + 1) fields, found \(fields.count)")
            }
            guard let t = parser.parse(fields.trimmed(columns.time, in: text)) else {
                throw BarFileDecoder.bad(name, line.number, "unreadable timestamp '\(fields.text(columns.time, in: text))'")
            }
            if scale == nil {
                let fixedPoint = columns.isDatabento && !fields.raw(columns.open, in: text).contains(UInt8(ascii: "."))
                scale = fixedPoint ? BarFileDecoder.fixedPointScale : 1
            }
            func number(_ index: Int) throws(MarketDataError) -> Double {
                guard let value = DecimalParser.parse(fields.trimmed(index, in: text)) else {
                    throw BarFileDecoder.bad(name, line.number,
                                             "unreadable number '\(fields.text(index, in: text))' in column \(index + 1)")
                }
                return value
            }
            let s = scale!
            let o = try number(columns.open) / s, h = try number(columns.high) / s
            let l = try number(columns.low) / s, c = try number(columns.close) / s
            bars.append(t, o, h, l, c, try number(columns.volume))
        }
        if !columns.isDatabento, options.stamps == .barEnd {
            try BarFileDecoder.shiftBarEndStamps(&bars, name: name)
        }
        return bars
    }

    /// One line: its byte range in the text and its 1-based number in the file.
    struct Line {
        let bytes: Range<Int>
        let number: Int
    }

    /// Walks the text's lines: `\n`, `\r\n` or a lone `\r` end one; a leading UTF-8
    /// byte-order mark is not part of the first.
    struct LineCursor {
        private let text: UnsafeBufferPointer<UInt8>
        private var position = 0
        private var number = 0
        private var nextNewline = -1

        init(_ text: UnsafeBufferPointer<UInt8>) {
            self.text = text
            if text.count >= 3, text[0] == 0xEF, text[1] == 0xBB, text[2] == 0xBF { position = 3 }
        }

        mutating func nextNonBlank() -> Line? {
            while position < text.count {
                let start = position
                // The line's end, found with memchr: the next \n (kept: in a file of
                // lone \r it lies many lines ahead), then a \r before it.
                if nextNewline < start { nextNewline = find(10, from: start, to: text.count) }
                let newline = nextNewline
                let end = find(13, from: start, to: newline)
                if end < newline {
                    position = end + (end + 1 == newline ? 2 : 1)   // \r\n, or a lone \r
                } else {
                    position = newline < text.count ? newline + 1 : newline
                }
                number += 1
                if text[start..<end].contains(where: { !DelimitedBarDecoder.isBlank($0) }) {
                    return Line(bytes: start..<end, number: number)
                }
            }
            return nil
        }

        /// The \n bytes in the whole text, found with memchr (counted a byte at a time
        /// they took 6 % of an end-to-end run in `perf`).
        var newlines: Int {
            var count = 0, at = find(10, from: 0, to: text.count)
            while at < text.count {
                count += 1
                at = find(10, from: at + 1, to: text.count)
            }
            return count
        }

        /// The index of the first `byte` in `from..<to`, or `to`.
        private func find(_ byte: UInt8, from: Int, to: Int) -> Int {
            guard from < to, let base = text.baseAddress,
                  let hit = memchr(base + from, Int32(byte), to - from) else { return to }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Splits a line at commas into reusable storage; fields are byte ranges.
    struct FieldSplitter {
        private var starts: [Int] = []
        private var ends: [Int] = []
        private(set) var count = 0

        mutating func split(_ line: Range<Int>, in text: UnsafeBufferPointer<UInt8>) {
            count = 0
            var start = line.lowerBound
            var i = start
            while true {
                if i == line.upperBound || text[i] == UInt8(ascii: ",") {
                    if count == starts.count { starts.append(start); ends.append(i) } else { starts[count] = start; ends[count] = i }
                    count += 1
                    if i == line.upperBound { return }
                    start = i &+ 1
                }
                i &+= 1
            }
        }

        func raw(_ index: Int, in text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: text[starts[index]..<ends[index]])
        }

        /// Without surrounding spaces, tabs and double quotes.
        func trimmed(_ index: Int, in text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            var start = starts[index], end = ends[index]
            while start < end, DelimitedBarDecoder.isPadding(text[start]) { start += 1 }
            while end > start, DelimitedBarDecoder.isPadding(text[end - 1]) { end -= 1 }
            return UnsafeBufferPointer(rebasing: text[start..<end])
        }

        /// The trimmed field as text, for headers and error messages.
        func text(_ index: Int, in text: UnsafeBufferPointer<UInt8>) -> String {
            String(decoding: trimmed(index, in: text), as: UTF8.self)
        }
    }

    static func isPadding(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\t")
    }

    /// ASCII whitespace: a line of only these is blank.
    static func isBlank(_ byte: UInt8) -> Bool {
        byte == 32 || (9...13).contains(byte)
    }

    private struct Columns {
        let time, open, high, low, close, volume: Int
        let isDatabento: Bool
        var widest: Int { max(time, open, high, low, close, volume) }

        init(time: Int, open: Int, high: Int, low: Int, close: Int, volume: Int, isDatabento: Bool) {
            self.time = time
            self.open = open
            self.high = high
            self.low = low
            self.close = close
            self.volume = volume
            self.isDatabento = isDatabento
        }

        init(header: [String], name: String) throws(MarketDataError) {
            let names = header.map { $0.lowercased() }
            func find(_ aliases: [String]) throws(MarketDataError) -> Int {
                guard let index = names.firstIndex(where: aliases.contains) else {
                    throw BarFileDecoder.bad(name, 1, "no column named \(aliases.joined(separator: " or ")) in header")
                }
                return index
            }
            self.init(
                time: try find(["ts_event", "ts", "ts_utc", "timestamp", "time", "datetime", "date", "window_start", "t"]),
                open: try find(["open", "o"]), high: try find(["high", "h"]), low: try find(["low", "l"]),
                close: try find(["close", "c"]), volume: try find(["volume", "v", "vol"]),
                isDatabento: names.contains("ts_event") && names.contains("rtype"))
        }
    }
}
