import Market

/// Why a backtest could not run. `code` is stable; `suggestedFix` says what to change.
public struct BacktestError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String
    public let suggestedFix: String?

    public var description: String {
        "\(code): \(message)" + (suggestedFix.map { " (\($0))" } ?? "")
    }

    static func params(_ error: ParamsError) -> BacktestError {
        BacktestError(code: error.code.rawValue, message: error.message,
                      suggestedFix: "see the archetype's bounds in docs/archetypes.md")
    }
}

/// Everything one backtest needs. Bars are already fetched and validated; the engine
/// does no I/O.
public struct BacktestRequest: Sendable {
    public var archetype: Archetype
    /// Validated by `archetype`; build them with `archetype.params(fromJSON:)`.
    public var params: ParamValues
    public var instrument: Instrument
    public var bars: BarSeries
    /// Provider that delivered the bars: "synthetic", "file", "databento", "polygon".
    public var dataSource: String
    public var costs: CostModel
    public var startingEquity: Double
    /// Largest position the run may hold, in contracts; `contracts` above it is refused.
    public var maxPosition: Int
    /// The requested window as "YYYY-MM-DD" (`to` exclusive), for the record.
    public var windowFrom: String?
    public var windowTo: String?
    /// `bars.fingerprint` when the caller already has it (hashing 1M bars costs more
    /// than simulating them); computed when nil.
    public var barFingerprint: String?

    public init(
        archetype: Archetype, params: ParamValues, instrument: Instrument, bars: BarSeries, dataSource: String,
        costs: CostModel? = nil, startingEquity: Double = 50_000, maxPosition: Int = 10,
        windowFrom: String? = nil, windowTo: String? = nil, barFingerprint: String? = nil
    ) {
        self.archetype = archetype
        self.params = params
        self.instrument = instrument
        self.bars = bars
        self.dataSource = dataSource
        self.costs = costs ?? .standard(for: instrument)
        self.startingEquity = startingEquity
        self.maxPosition = maxPosition
        self.windowFrom = windowFrom
        self.windowTo = windowTo
        self.barFingerprint = barFingerprint
    }
}

/// How much of a result to build. `.metrics` leaves out the trade list and the equity
/// curve (metrics, daily results and provenance are the same): for callers that read
/// only figures — walk-forward slices, research cells — wording thousands of trades
/// they never show cost more than simulating them.
public enum ResultDetail: Sendable {
    case full
    case metrics
}

public enum Backtester {
    /// Runs one backtest: validates the request, simulates the family's strategy over
    /// the bars, and returns metrics, trades, equity and provenance.
    public static func run(_ request: BacktestRequest, detail: ResultDetail = .full) throws(BacktestError) -> BacktestResult {
        let simulation = try simulation(request)
        return simulation.result(days: simulation.plan.indices, detail: detail)
    }

    /// Validates the request and simulates it once over all its bars; slices of the
    /// run (walk-forward folds) are summarised from this without simulating again.
    static func simulation(_ request: BacktestRequest,
                           controls: SimulationControls = .none) throws(BacktestError) -> Simulation {
        let params: ParamValues
        do {
            params = try request.archetype.validate(request.params)
        } catch {
            throw .params(error)
        }
        guard !request.bars.isEmpty else {
            throw BacktestError(code: "NO_BARS", message: "the bar series is empty",
                                suggestedFix: "widen the window or check the data source")
        }
        guard request.startingEquity.isFinite, request.startingEquity > 0 else {
            throw BacktestError(code: "INVALID_EQUITY", message: "starting equity must be a positive number",
                                suggestedFix: nil)
        }
        guard request.costs.commissionPerSide.isFinite, request.costs.commissionPerSide >= 0,
              request.costs.slippageTicks >= 0
        else {
            throw BacktestError(code: "INVALID_COSTS", message: "commission and slippage must be ≥ 0", suggestedFix: nil)
        }
        let rules = TradingRules(params)
        guard rules.contracts <= request.maxPosition else {
            throw BacktestError(code: "MAX_POSITION_EXCEEDED",
                                message: "contracts \(rules.contracts) exceeds the maximum position \(request.maxPosition)",
                                suggestedFix: "lower contracts or raise the maximum position")
        }
        let plan = DayPlan.plans(bars: request.bars, session: request.instrument.session,
                                 regularHours: rules.useRegularHours)
        let output = simulateFamily(request.archetype.family, params: params, bars: request.bars, plan: plan,
                                    rules: rules, instrument: request.instrument, costs: request.costs, controls: controls)
        return Simulation(request: request, params: params, rules: rules, plan: plan, output: output)
    }

    /// One specialised simulation per family: the generic simulator is instantiated
    /// with each concrete strategy type, so the inner loop has no dynamic dispatch.
    static func simulateFamily(
        _ family: Family, params: ParamValues, bars: BarSeries, plan: [DayPlan], rules: TradingRules,
        instrument: Instrument, costs: CostModel, exhaustive: Bool = false, controls: SimulationControls = .none
    ) -> SimulationOutput {
        switch family {
        case .openingRange:
            var strategy = OpeningRangeStrategy(OpeningRangeParams(params))
            return simulate(&strategy, bars: bars, plan: plan, rules: rules, instrument: instrument, costs: costs,
                            exhaustive: exhaustive, controls: controls)
        case .meanReversion:
            var strategy = MeanReversionStrategy(MeanReversionParams(params))
            return simulate(&strategy, bars: bars, plan: plan, rules: rules, instrument: instrument, costs: costs,
                            exhaustive: exhaustive, controls: controls)
        case .channelBreakout:
            var strategy = ChannelBreakoutStrategy(ChannelBreakoutParams(params))
            return simulate(&strategy, bars: bars, plan: plan, rules: rules, instrument: instrument, costs: costs,
                            exhaustive: exhaustive, controls: controls)
        case .movingAverageTrend:
            var strategy = MovingAverageTrendStrategy(MovingAverageTrendParams(params))
            return simulate(&strategy, bars: bars, plan: plan, rules: rules, instrument: instrument, costs: costs,
                            exhaustive: exhaustive, controls: controls)
        case .gap:
            var strategy = GapStrategy(GapParams(params), tickSize: instrument.tickSize)
            return simulate(&strategy, bars: bars, plan: plan, rules: rules, instrument: instrument, costs: costs,
                            exhaustive: exhaustive, controls: controls)
        case .rangeFade:
            var strategy = RangeFadeStrategy(RangeFadeParams(params), tickSize: instrument.tickSize)
            return simulate(&strategy, bars: bars, plan: plan, rules: rules, instrument: instrument, costs: costs,
                            exhaustive: exhaustive, controls: controls)
        }
    }
}

/// One simulated run before it is summarised. `result(days:)` summarises any
/// contiguous run of its planned days — the whole run, or a walk-forward fold —
/// from the same trades, so folds never disagree with the run they came from.
struct Simulation {
    let request: BacktestRequest
    let params: ParamValues
    let rules: TradingRules
    let plan: [DayPlan]
    let output: SimulationOutput

    /// Planned days whose trading window holds a bar. Others (a Sunday-evening
    /// fragment, a holiday's overnight bars) were not tradable and are not days tested.
    var tradableDays: [Int] {
        plan.indices.filter { plan[$0].windowEnd > plan[$0].windowFirst }
    }

    /// Metrics, trades, equity and provenance of the planned days `days`. The whole
    /// run keeps the request's window and every bar; a slice reports its own trade
    /// dates and bars. Equity starts from the starting equity in either case
    /// (futures accounts are not compounded).
    func result(days: Range<Int>, detail: ResultDetail = .full) -> BacktestResult {
        let request = self.request
        let bars = request.bars
        let instrument = request.instrument
        let costs = request.costs
        let whole = days == plan.indices
        let withTrades = detail == .full
        var trades: [Trade] = []
        var tradePnL: [Double] = [], tradeCommission: [Double] = [], tradeSlippage: [Double] = [], tradeHoldBars: [Int] = []
        var tradesPerDay = [Int](repeating: 0, count: plan.count)
        let firstBar = whole || days.isEmpty ? 0 : plan[days.lowerBound].first
        let endBar = whole || days.isEmpty ? bars.count : plan[days.upperBound - 1].end
        var curve = withTrades ? [EquityPoint(time: isoUTC(bars.timestamps[firstBar]), equity: request.startingEquity)] : []
        var equity = request.startingEquity
        for record in output.trades where days.contains(record.day) {
            let money = TradeMoney(record, instrument: instrument, costs: costs)
            equity = cents(equity + money.net)
            tradesPerDay[record.day] += 1
            tradePnL.append(money.net)
            tradeCommission.append(money.fee)
            tradeSlippage.append(money.slippage)
            tradeHoldBars.append(record.exitIndex - record.entryIndex + 1)
            guard withTrades else { continue }
            trades.append(trade(record))
            curve.append(EquityPoint(time: isoUTC(bars.timestamps[record.exitIndex]), equity: equity))
        }
        let daily = tradableDays.filter(days.contains).map { d in
            DailyResult(date: plan[d].context.day.tradeDateString, pnl: cents(output.dailyPnL[d]), trades: tradesPerDay[d])
        }
        let equityBefore = output.dailyPnL[..<days.lowerBound].reduce(0, +)
        let metrics = Metrics(MetricInputs(
            tradePnL: tradePnL, tradeCommission: tradeCommission,
            tradeSlippage: tradeSlippage, tradeHoldBars: tradeHoldBars,
            dailyPnL: daily.map(\.pnl), startingEquity: request.startingEquity, barsTested: endBar - firstBar,
            barMinutes: Double(bars.timeframe.seconds) / 60,
            markedDrawdown: output.marks.maxDrawdown(days: days, startEquity: equityBefore)))
        let session = instrument.session
        let (openMinute, closeMinute) = rules.useRegularHours
            ? (session.regularOpenMinute, session.regularCloseMinute) : (session.openMinute, session.closeMinute)
        let lastStart = bars.timestamps[endBar - 1]
        let windowFrom: String, windowTo: String
        if whole || days.isEmpty {
            windowFrom = request.windowFrom ?? String(isoUTC(bars.timestamps[0]).prefix(10))
            windowTo = request.windowTo ?? String(isoUTC(lastStart + Int64(bars.timeframe.seconds)).prefix(10))
        } else {
            windowFrom = plan[days.lowerBound].context.day.tradeDateString
            windowTo = CivilDate(daysSinceEpoch: Int(plan[days.upperBound - 1].context.day.tradeDate) + 1).description
        }
        let provenance = Provenance(
            instrument: instrument.symbol, instrumentName: instrument.name, tickSize: instrument.tickSize,
            multiplier: instrument.multiplier, tickValue: instrument.tickValue, currency: instrument.currency,
            timeframe: bars.timeframe, windowFrom: windowFrom, windowTo: windowTo,
            firstBar: isoUTC(bars.timestamps[firstBar]), lastBar: isoUTC(lastStart), barsTested: endBar - firstBar,
            sessionsTested: daily.count, dataSource: request.dataSource,
            // Hashed only where a result reports it, once per series (SeriesMemo).
            barFingerprint: request.barFingerprint ?? bars.fingerprint,
            archetype: request.archetype.slug, family: request.archetype.family, params: params,
            paramsHash: params.hash, costs: costs, startingEquity: request.startingEquity,
            sessionWindow: "\(rules.useRegularHours ? "rth" : "globex") \(Self.clock(openMinute))-\(Self.clock(closeMinute)) "
                + session.timeZoneIdentifier,
            engineVersion: engineVersion)
        return BacktestResult(metrics: metrics, trades: trades, equityCurve: EquityCurve.thin(curve),
                              daily: daily, provenance: provenance)
    }

    /// A closed trade as results report it.
    func trade(_ record: TradeRecord) -> Trade {
        let instrument = request.instrument
        let timestamps = request.bars.timestamps
        let money = TradeMoney(record, instrument: instrument, costs: request.costs)
        return Trade(
            entryTime: isoUTC(timestamps[record.entryIndex]), exitTime: isoUTC(timestamps[record.exitIndex]),
            side: record.side, contracts: record.contracts, entryPrice: record.entryPrice,
            exitPrice: record.exitPrice, exitReason: record.reason,
            entryReason: record.entryReason.text(instrument), holdBars: record.exitIndex - record.entryIndex + 1,
            grossPnL: money.gross, commission: money.fee, slippage: money.slippage, pnl: money.net)
    }

    private static func clock(_ minute: Int) -> String {
        let h = minute / 60, m = minute % 60
        return (h < 10 ? "0\(h)" : "\(h)") + ":" + (m < 10 ? "0\(m)" : "\(m)")
    }
}

/// A trade's money in USD, rounded to the cent as results report it: gross from the
/// fill prices, commission, slippage valued at tick value, net = gross − commission.
public struct TradeMoney {
    public let gross: Double
    public let fee: Double
    public let slippage: Double
    public let net: Double

    /// A simulated trade: one fill of all its contracts (the paper init below, whose
    /// sums over one fill are exactly this trade's), plus its slippage.
    init(_ record: TradeRecord, instrument: Instrument, costs: CostModel) {
        self.init(side: record.side, entries: [(record.contracts, record.entryPrice)], exitPrice: record.exitPrice,
                  instrument: instrument, costs: costs,
                  slippage: cents(Double(record.slippageTicks) * instrument.tickValue * Double(record.contracts)))
    }

    /// A trade entered in one or several fills (a paper order filled partly bar by bar)
    /// and closed at `exitPrice`: gross is the sum of each fill's price move, commission
    /// is paid on every contract in and out. Slippage is already in the prices; it is
    /// only reported apart (a simulated trade knows its ticks).
    public init(side: Side, entries: [(contracts: Int, price: Double)], exitPrice: Double, instrument: Instrument,
                costs: CostModel, slippage: Double = 0) {
        let contracts = entries.reduce(0) { $0 + $1.contracts }
        gross = cents(entries.reduce(0.0) {
            $0 + priceMovePnL(side: side, contracts: $1.contracts, from: $1.price, to: exitPrice, instrument: instrument)
        })
        fee = cents(2 * costs.commission(contracts: contracts))
        self.slippage = slippage
        net = cents(gross - fee)
    }
}
