/// An error from PostgreSQL or from talking to it.
///
/// `sqlState` is the five-character SQLSTATE when the server sent one
/// (`23505` unique violation, `57014` statement timeout …); connection
/// problems use the stable codes in `Code`.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The server rejected a statement; `sqlState` says why.
        case serverError = "SERVER_ERROR"
        /// No connection could be made.
        case connectionFailed = "CONNECTION_FAILED"
        /// The connection broke while a statement was in flight. For a write
        /// this means the outcome is unknown: the caller must not assume either.
        case connectionLost = "CONNECTION_LOST"
        /// A value could not be decoded into the requested Swift type.
        case decoding = "DECODING_FAILED"
        /// A statement was misused (wrong column name, no rows …).
        case usage = "USAGE"
    }

    public let code: Code
    public let sqlState: String?
    public let message: String
    public let detail: String?
    public let hint: String?

    public init(_ code: Code, _ message: String, sqlState: String? = nil,
                detail: String? = nil, hint: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
    }

    public var description: String {
        var text = "\(code.rawValue)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let detail { text += " (\(detail))" }
        return text
    }

    /// SQLSTATE class 57 (operator intervention) and 08 (connection exception)
    /// are what a restarting or vanished server produces.
    public var isConnectionProblem: Bool {
        if code == .connectionLost || code == .connectionFailed { return true }
        guard let state = sqlState else { return false }
        return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
    }
}
