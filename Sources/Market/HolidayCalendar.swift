/// The exchange calendar a `TradingSession` follows on top of its weekly template.
public enum HolidayCalendar: String, Sendable, Hashable, Codable {
    /// CME Globex holidays and early closes, 2010–2030 (`CMECalendar`).
    case cme
    /// Every weekday is a regular trade date (no exchange holidays modelled).
    case none

    /// What this calendar says about a local trade date.
    public func status(of date: CivilDate) -> TradeDateStatus {
        switch self {
        case .cme: CMECalendar.status(of: date)
        case .none: .regular
        }
    }
}

/// One trade date as an exchange calendar sees it.
public enum TradeDateStatus: Sendable, Hashable {
    /// The weekly template's session, unchanged.
    case regular
    /// No session has this trade date.
    case closed
    /// The session opens as usual and ends at `minute` (local minutes after midnight
    /// on the trade date).
    case earlyClose(minute: Int)
}
