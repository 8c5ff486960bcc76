import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Postgres

/// `gauntlet proof`: the users' checks (PROOFS.md) run against the live
/// platform and printed as one Markdown document — each endpoint's answer and
/// each `sql/proofs` query with its rows, exactly as a person would run them.
struct ProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proof",
        abstract: "Print a proof pack (the proof endpoints and SQL proof queries with their output) as Markdown.",
        discussion: """
            Reads the API at --base-url (default http://127.0.0.1:$GAUNTLET_PORT) and runs every \
            sql/proofs/*.sql file through GAUNTLET_DATABASE_URL. Files marked \
            `-- proof-pack: skip` (the ones that change data) are listed but not run.
            """
    )

    @Option(help: "API base URL (default http://127.0.0.1:$GAUNTLET_PORT or :8080).")
    var baseURL: String?

    @Option(help: "Directory of proof queries (default: $GAUNTLET_ROOT/sql/proofs).")
    var proofsDir: String?

    static let endpoints = ["/api/_proof/autonomy", "/api/_proof/jobs", "/api/scheduler/status",
                            "/api/integrations/status", "/api/system/status"]

    func run() throws {
        let environment = GauntletEnvironment()
        let base = baseURL ?? "http://127.0.0.1:\(environment.values["GAUNTLET_PORT"] ?? "8080")"
        let directory = proofsDir ?? "\(environment.sqlDirectory)/proofs"
        var out = "# Gauntlet proof pack\n\nGenerated \(Date().postgresText) from \(base) and the database.\n"

        for path in Self.endpoints {
            out += "\n## GET \(path)\n\n"
            do {
                out += "```json\n\(try Self.fetchPretty(base + path))\n```\n"
            } catch {
                out += "**failed:** \(error)\n"
            }
        }

        let db = try Connection(.fromEnvironment(applicationName: "gauntlet-proof"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }.sorted()
        for file in files {
            let text = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
            out += "\n## sql/proofs/\(file)\n\n```sql\n\(text.trimmingCharacters(in: .whitespacesAndNewlines))\n```\n\n"
            if text.contains("-- proof-pack: skip") {
                out += "_Not run by the proof pack: it changes data. Run it with `scripts/psql -f sql/proofs/\(file)`._\n"
                continue
            }
            do {
                out += Self.markdownTable(try db.query(Self.statement(text), idempotent: true))
            } catch {
                out += "**failed:** \(error)\n"
            }
        }
        print(out, terminator: "")
    }

    /// The file's single statement without comment lines or the final semicolon.
    static func statement(_ text: String) -> String {
        text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            .trimmingCharacters(in: CharacterSet(charactersIn: ";"))
    }

    static func markdownTable(_ result: QueryResult) -> String {
        func cell(_ text: String?) -> String { (text ?? "NULL").replacingOccurrences(of: "|", with: "\\|") }
        var table = "| " + result.columnNames.joined(separator: " | ") + " |\n"
        table += "|" + String(repeating: "---|", count: result.columnNames.count) + "\n"
        for row in result.rows {
            table += "| " + (0..<result.columnNames.count).map { cell(row.text(at: $0)) }.joined(separator: " | ") + " |\n"
        }
        return table + "\n(\(result.rowCount) rows)\n"
    }

    static func fetchPretty(_ url: String) throws -> String {
        guard let target = URL(string: url) else { throw ValidationError("bad URL \(url)") }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: URLRequest(url: target, timeoutInterval: 10)) { data, response, error in
            box.set(data, (response as? HTTPURLResponse)?.statusCode, error)
            done.signal()
        }.resume()
        done.wait()
        let (data, status, error) = box.get()
        if let error { throw error }
        let object = try JSONSerialization.jsonObject(with: data ?? Data())
        let pretty = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        let body = String(decoding: pretty, as: UTF8.self)
        return status == 200 ? body : "HTTP \(status ?? 0)\n\(body)"
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Data?, Int?, Error?) = (nil, nil, nil)
    func set(_ data: Data?, _ status: Int?, _ error: Error?) { lock.lock(); value = (data, status, error); lock.unlock() }
    func get() -> (Data?, Int?, Error?) { lock.lock(); defer { lock.unlock() }; return value }
}
