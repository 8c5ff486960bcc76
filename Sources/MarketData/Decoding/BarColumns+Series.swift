import Market

extension BarColumns {
    /// Validates decoded bars of width `timeframe` into a `BarSeries`, resamples them
    /// (session-aligned) to the requested timeframe and keeps bar starts in the window.
    /// Validation covers the whole input, so a bad row is reported even outside the window.
    func series(
        native timeframe: Timeframe, for request: BarRequest, origin: String
    ) throws(MarketDataError) -> BarSeries {
        let full: BarSeries
        do {
            full = try BarSeries(
                timeframe: timeframe, timestamps: timestamps, open: open, high: high, low: low, close: close,
                volume: volume)
        } catch {
            throw MarketDataError(
                code: MarketDataError.badBarData, message: "\(origin): \(error.description)",
                suggestedFix: "fix the source data; bars are never repaired silently")
        }
        let resampled: BarSeries
        do {
            resampled = try full.resampled(to: request.timeframe, session: request.instrument.session)
        } catch {
            throw MarketDataError(
                code: MarketDataError.unsupportedRequest, message: "\(origin): \(error.description)",
                suggestedFix: "request \(timeframe.rawValue) or a wider timeframe that is a multiple of it")
        }
        return resampled.window(from: request.fromEpoch, to: request.toEpoch)
    }

    /// The timeframe these bars are in, judged by their smallest gap. Sub-minute bars
    /// that divide a minute are first aggregated to minutes (epoch-aligned, which is
    /// session-aligned because every session opens on a whole minute).
    mutating func normalizeToTimeframe(default fallback: Timeframe, origin: String) throws(MarketDataError) -> Timeframe {
        guard let interval = nativeInterval else { return fallback }
        if interval < 60, 60 % interval == 0 {
            self = aggregated(toSeconds: 60)
            return .m1
        }
        guard let timeframe = Timeframe.allCases.first(where: { Int64($0.seconds) == interval }) else {
            throw MarketDataError(
                code: MarketDataError.unsupportedRequest,
                message: "\(origin): bars are \(interval) s wide; supported widths are 1 s…1 min divisors, 1m, 5m, 15m and 1h",
                suggestedFix: "provide 1-minute bars")
        }
        return timeframe
    }

    /// Buckets of `width` seconds aligned to the epoch: first open, highest high,
    /// lowest low, last close, summed volume. Assumes ascending stamps.
    func aggregated(toSeconds width: Int64) -> BarColumns {
        var result = BarColumns(capacity: count / max(1, Int(width / (nativeInterval ?? width))) + 1)
        for i in timestamps.indices {
            let bucket = timestamps[i] - ((timestamps[i] % width) + width) % width
            if let last = result.timestamps.last, last == bucket {
                let j = result.count - 1
                result.high[j] = Swift.max(result.high[j], high[i])
                result.low[j] = Swift.min(result.low[j], low[i])
                result.close[j] = close[i]
                result.volume[j] += volume[i]
            } else {
                result.append(bucket, open[i], high[i], low[i], close[i], volume[i])
            }
        }
        return result
    }
}
