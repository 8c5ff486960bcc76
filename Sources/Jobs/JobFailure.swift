/// A failure with the stable code, message and suggested fix of the layer that
/// failed; `retryable` false means another attempt would fail the same way.
public struct JobFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String
    public let suggestedFix: String?
    public let retryable: Bool

    public init(code: String, message: String, suggestedFix: String? = nil, retryable: Bool) {
        self.code = code
        self.message = message
        self.suggestedFix = suggestedFix
        self.retryable = retryable
    }

    public var description: String { "\(code): \(message)" }
}
