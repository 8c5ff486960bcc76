import Market

/// Where in its session a bar starts, for time-of-day statistics. Regular hours are the
/// session's `regularOpen..<regularClose` (CME equity index: 08:30–15:00 CT, i.e.
/// 09:30–16:00 ET); every other minute of `open..<close` is overnight. The windows are
/// set from the regular open and close, so they hold on early-close days and in any
/// exchange time zone.
public enum SessionPart: String, Sendable, Hashable, CaseIterable, Codable {
    /// The first 30 minutes of regular hours.
    case open
    /// Regular open + 2 h ..< regular open + 4 h: 11:30–13:30 ET for ES (10:30–12:30 CT)
    /// and US stocks.
    case midday
    /// The last 30 minutes of regular hours.
    case close
    /// Regular-hours minutes in none of the windows above.
    case otherRegular = "other_regular"
    /// Outside regular hours: the Globex evening, night and early morning.
    case overnight

    public var isRegular: Bool { self != .overnight }

    /// The part of `day` in which a bar starting at `t` lies; `t` must be in `day.open..<day.close`.
    public static func of(_ t: Int64, in day: SessionDay) -> SessionPart {
        guard t >= day.regularOpen, t < day.regularClose else { return .overnight }
        if t < day.regularOpen + 30 * 60 { return .open }
        if t >= day.regularClose - 30 * 60 { return .close }
        if t >= day.regularOpen + 120 * 60, t < day.regularOpen + 240 * 60 { return .midday }
        return .otherRegular
    }
}
