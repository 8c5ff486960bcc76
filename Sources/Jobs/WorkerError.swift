/// Why a worker could not start.
public struct WorkerError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String
    public let suggestedFix: String?

    public var description: String { "\(code): \(message)" + (suggestedFix.map { " (\($0))" } ?? "") }
}
