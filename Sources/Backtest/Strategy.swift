import Market

/// Long or short. Raw values are what results and documents print.
public enum Side: String, Sendable, Codable, Hashable {
    case long = "LONG"
    case short = "SHORT"

    /// +1 for long, -1 for short: PnL = (exit - entry) × sign.
    var sign: Double { self == .long ? 1 : -1 }
    /// The side that closes this one (a long exits by selling).
    public var opposite: Side { self == .long ? .short : .long }
}

/// A strategy decides at the close of each bar. It is handed a `ClosedBars` view
/// that can only read bars 0...index — the bar that just closed — so a decision
/// cannot depend on the future: lookahead is impossible by construction, not by
/// care. Whatever it decides is executed by the simulator no earlier than the
/// next bar's open.
///
/// Conformers are concrete value types; the simulator is generic over them so each
/// family gets a specialised inner loop with no existential calls or allocation.
protocol Strategy {
    /// Start of a session day, before its first bar: only the schedule is known.
    mutating func beginSession(_ session: SessionContext)
    /// Close of bar `bars.index`.
    mutating func onBarClose(_ bars: ClosedBars, _ position: PositionView) -> Decision
    /// True when bars before the session's window and after it change nothing this
    /// strategy decides (its state is rebuilt from window bars each session), so the
    /// simulator need not show them. A promise checked by SimulatorTests.
    var ignoresBarsOutsideWindow: Bool { get }
}

extension Strategy {
    var ignoresBarsOutsideWindow: Bool { false }
}

/// The schedule of one session day as the strategy sees it (UTC epoch seconds).
/// All of it is known before the day's first bar.
struct SessionContext {
    let day: SessionDay
    /// The family's trading window: entries fill only in bars that start at or after
    /// `windowOpen` and end at or before `windowClose`.
    let windowOpen: Int64
    let windowClose: Int64
    let barSeconds: Int64
}

/// Read-only view of the bars that have closed. Valid only during the call it is
/// passed to (it points into the series' storage); strategies keep numbers, never views.
struct ClosedBars {
    private let ts: UnsafePointer<Int64>
    private let o: UnsafePointer<Double>
    private let h: UnsafePointer<Double>
    private let l: UnsafePointer<Double>
    private let c: UnsafePointer<Double>
    private let v: UnsafePointer<Double>
    /// The bar that just closed; the last one readable.
    let index: Int

    init(_ columns: BarColumns, index: Int) {
        ts = columns.ts
        o = columns.o
        h = columns.h
        l = columns.l
        c = columns.c
        v = columns.v
        self.index = index
    }

    @inline(__always) private func check(_ j: Int) {
        precondition(j >= 0 && j <= index, "lookahead: bar \(j) has not closed at bar \(index)")
    }

    @inline(__always) func timestamp(_ j: Int) -> Int64 { check(j); return ts[j] }
    @inline(__always) func open(_ j: Int) -> Double { check(j); return o[j] }
    @inline(__always) func high(_ j: Int) -> Double { check(j); return h[j] }
    @inline(__always) func low(_ j: Int) -> Double { check(j); return l[j] }
    @inline(__always) func close(_ j: Int) -> Double { check(j); return c[j] }
    @inline(__always) func volume(_ j: Int) -> Double { check(j); return v[j] }

    // The bar that just closed; no bounds check needed.
    var time: Int64 { ts[index] }
    var open: Double { o[index] }
    var high: Double { h[index] }
    var low: Double { l[index] }
    var close: Double { c[index] }
    var volume: Double { v[index] }
}

/// Raw column pointers, held only by the simulator for the duration of a run.
struct BarColumns {
    let ts: UnsafePointer<Int64>
    let o: UnsafePointer<Double>
    let h: UnsafePointer<Double>
    let l: UnsafePointer<Double>
    let c: UnsafePointer<Double>
    let v: UnsafePointer<Double>
}

/// What the strategy knows about its position at a bar's close.
struct PositionView {
    /// +1 long, -1 short, 0 flat (after this bar's stop/target fills).
    let direction: Int
    let entryPrice: Double
    /// Bars held including the entry bar and this one.
    let barsHeld: Int
    /// True when the simulator would accept an entry now: flat, no order pending,
    /// under the daily trade cap, before the entry cutoff, and a next bar can still
    /// start and end inside the window. Strategies update their "armed" state as if
    /// an entry they emit is filled; the simulator alone decides whether it is.
    let canEnter: Bool

    var isFlat: Bool { direction == 0 }
}

/// A price level for a protective stop or a profit target.
enum Level: Equatable {
    case none
    /// An absolute price, rounded to the nearest tick.
    case price(Double)
    /// A distance in price points from the entry fill, rounded to the nearest tick.
    case distance(Double)
}

struct EntryOrder: Equatable {
    let side: Side
    let stop: Level
    let target: Level
    /// The rule that admitted it, reported with the trade.
    let reason: EntryReason
}

enum Decision {
    case hold
    /// Market order at the next bar's open.
    case enter(EntryOrder)
    /// Close the position at the next bar's open (exit reason SIGNAL).
    case exit
}
