/// The Prometheus text exposition format (0.0.4), written by hand: a few families need
/// no dependency, and `scripts/test` parses the output with the reference parser
/// (prometheus-client). One `# HELP`/`# TYPE` pair per family, then its samples.
struct PrometheusText {
    private(set) var text = ""
    private var declared: Set<String> = []

    mutating func family(_ name: String, type: String, help: String) {
        guard declared.insert(name).inserted else { return }
        text += "# HELP \(name) \(help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n"))\n"
        text += "# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        let rendered = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }
        text += name + (rendered.isEmpty ? "" : "{\(rendered.joined(separator: ","))}") + " " + Self.format(value) + "\n"
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
