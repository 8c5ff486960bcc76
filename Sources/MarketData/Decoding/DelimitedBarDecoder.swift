import Foundation

/// Comma-separated bars, recognised by header: generic `ts,open,high,low,close,volume`
/// (and aliases such as `ts_utc`, `timestamp`, `o`, `h`, `l`, `c`, `v`, extra columns
/// ignored), and Databento's CSV (`ts_event,rtype,…`), raw (fixed-point 1e-9 prices,
/// ns stamps) or pretty (decimal prices, ISO stamps). A file without a header must
/// have the six generic columns in order.
enum DelimitedBarDecoder {
    static func decode(_ data: Data, name: String, options: BarFileOptions) throws(MarketDataError) -> BarColumns {
        let text = String(decoding: data, as: UTF8.self)
        // Blank lines are skipped but still counted, so errors name the real line number.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
            .enumerated().filter { !$0.element.allSatisfy(\.isWhitespace) }[...]
        guard let (_, firstLine) = lines.first else { throw BarFileDecoder.noBars(name) }

        var parser = TimestampParser(naiveZone: options.naiveTimeZone)
        let firstFields = firstLine.split(separator: ",", omittingEmptySubsequences: false)
        let columns: Columns
        if let firstField = firstFields.first, parser.parse(trimmed(firstField)) == nil {
            columns = try Columns(header: firstFields, name: name)
            lines = lines.dropFirst()
        } else {
            columns = Columns(time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5, isDatabento: false)
        }

        var bars = BarColumns(capacity: lines.count)
        // Databento CSV carries fixed-point integers unless it was written with pretty_px.
        var fixedPoint: Bool?
        for (index, line) in lines {
            let lineNumber = index + 1
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count > columns.widest else {
                throw BarFileDecoder.bad(name, lineNumber, "expected at least \(columns.widest + 1) fields, found \(fields.count)")
            }
            guard let t = parser.parse(trimmed(fields[columns.time])) else {
                throw BarFileDecoder.bad(name, lineNumber, "unreadable timestamp '\(fields[columns.time])'")
            }
            if columns.isDatabento, fixedPoint == nil { fixedPoint = !fields[columns.open].contains(".") }
            let scale = fixedPoint == true ? BarFileDecoder.fixedPointScale : 1
            func number(_ index: Int) throws(MarketDataError) -> Double {
                guard let value = Double(trimmed(fields[index])) else {
                    throw BarFileDecoder.bad(name, lineNumber, "unreadable number '\(fields[index])' in column \(index + 1)")
                }
                return value
            }
            let o = try number(columns.open) / scale, h = try number(columns.high) / scale
            let l = try number(columns.low) / scale, c = try number(columns.close) / scale
            bars.append(t, o, h, l, c, try number(columns.volume))
        }
        if !columns.isDatabento, options.stamps == .barEnd {
            try BarFileDecoder.shiftBarEndStamps(&bars, name: name)
        }
        return bars
    }

    private static func trimmed(_ field: Substring) -> Substring {
        var f = field
        while let c = f.first, c == " " || c == "\"" || c == "\t" { f = f.dropFirst() }
        while let c = f.last, c == " " || c == "\"" || c == "\t" { f = f.dropLast() }
        return f
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

        init(header: [Substring], name: String) throws(MarketDataError) {
            let names = header.map { trimmed($0).lowercased() }
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
