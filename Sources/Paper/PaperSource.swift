/// Where a runner's bars come from — the one home of the `--source` grammar:
/// `synthetic`, `replay:PATH[@SPEED]` or a provider polled for closed bars
/// (`PollingBarStream.providers`: databento, polygon).
public enum PaperSource: Equatable, Sendable {
    case synthetic
    case replay(path: String, speed: Double)
    case provider(String)

    public static let usage = "synthetic, replay:PATH[@SPEED], databento or polygon"

    /// Nil for text that names no source.
    public init?(_ text: String) {
        if text == "synthetic" {
            self = .synthetic
        } else if PollingBarStream.providers.contains(text) {
            self = .provider(text)
        } else if text.hasPrefix("replay:") {
            var path = String(text.dropFirst("replay:".count))
            var speed = 1.0
            if let at = path.lastIndex(of: "@"), let parsed = Double(path[path.index(after: at)...]), parsed > 0 {
                speed = parsed
                path = String(path[..<at])
            }
            guard !path.isEmpty else { return nil }
            self = .replay(path: path, speed: speed)
        } else {
            return nil
        }
    }

    public var isReplay: Bool {
        if case .replay = self { return true }
        return false
    }
}
