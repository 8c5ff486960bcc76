import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Postgres

/// `gauntlet proof`: the users' checks (PROOFS.md) run against the live
/// platform and printed as one Markdown document — each endpoint's answer and
/// each `sql/proofs` query with its rows, exactly as a person would run them.
/// With `--check` it also judges the seeds' minimum success criterion: one
/// `PASS  name  evidence` / `FAIL  name  evidence` line per check, and a
/// non-zero exit on any FAIL.
struct ProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proof",
        abstract: "Print a proof pack (the proof endpoints and SQL proof queries with their output) as Markdown.",
        discussion: """
            Reads the API at --base-url (default http://127.0.0.1:$GAUNTLET_PORT) and runs every \
            sql/proofs/*.sql file through GAUNTLET_DATABASE_URL. Files marked \
            `-- proof-pack: skip` (the ones that change data) are listed but not run.

            --check adds a verdict per check and exits 1 if any fails: the database checks of \
            `select * from proof_checks()` (starter baselines with >= 1000 bars, trades, provider \
            usage in 24 h, the planner ticking, no job stuck past its lease), the shapes of \
            /api/_proof/autonomy and /api/_proof/jobs (PROOFS.md §4; every job_kinds.proof_key \
            counted), and no misleading badge words under web/ and Sources/ of $GAUNTLET_ROOT \
            (PROOFS.md §8).
            """
    )

    @Option(help: "API base URL (default http://127.0.0.1:$GAUNTLET_PORT or :8080).")
    var baseURL: String?

    @Option(help: "Directory of proof queries (default: $GAUNTLET_ROOT/sql/proofs).")
    var proofsDir: String?

    @Flag(help: "Also print PASS/FAIL per minimum-success check and exit non-zero on any FAIL.")
    var check = false

    static let endpoints = ["/api/_proof/autonomy", "/api/_proof/jobs", "/api/scheduler/status",
                            "/api/integrations/status", "/api/system/status"]

    func run() throws {
        let environment = GauntletEnvironment()
        let base = baseURL ?? "http://127.0.0.1:\(environment.values["GAUNTLET_PORT"] ?? "8080")"
        let directory = proofsDir ?? "\(environment.sqlDirectory)/proofs"
        var out = "# Gauntlet proof pack\n\nGenerated \(Date().postgresText) from \(base) and the database.\n"

        // Fetched once: the pack shows exactly the answers the checks judge.
        var answers: [String: Result<Fetched, Error>] = [:]
        for path in Self.endpoints {
            out += "\n## GET \(path)\n\n"
            let answer = Result { try Self.fetch(base + path) }
            answers[path] = answer
            do {
                out += "```json\n\(try answer.get().pretty())\n```\n"
            } catch {
                out += "**failed:** \(error)\n"
            }
        }

        // Without --check a database that cannot be reached is an error, as it
        // always was; with --check it is a FAIL beside the other verdicts.
        let db: Connection?
        do {
            db = try Connection(.fromEnvironment(applicationName: "gauntlet-proof"))
        } catch {
            guard check else { throw error }
            db = nil
            out += "\n**failed:** could not connect to the database: \(error)\n"
        }
        if let db {
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
        }
        print(out, terminator: "")
        guard check else { return }

        var verdicts: [Verdict]
        let proofKeys: Result<[String], Error>
        if let db {
            verdicts = Self.databaseChecks(db)
            proofKeys = Result {
                try db.query("select distinct proof_key from job_kinds order by 1", idempotent: true)
                    .rows.compactMap { $0.text(at: 0) }
            }
        } else {
            verdicts = [Verdict(name: "proof_checks", passed: false,
                                evidence: "0 checks run: no database connection (GAUNTLET_DATABASE_URL)")]
            proofKeys = .failure(ValidationError("no database connection"))
        }
        verdicts.append(Self.autonomyShape(answers["/api/_proof/autonomy"]!))
        verdicts.append(Self.jobsShape(answers["/api/_proof/jobs"]!, proofKeys: proofKeys))
        verdicts.append(Self.badgeWords(root: environment.root))
        try Self.finish(verdicts: verdicts)
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

    // MARK: - HTTP

    /// One endpoint's answer: its status and body.
    struct Fetched {
        let status: Int?
        let data: Data

        func json() throws -> Any { try JSONSerialization.jsonObject(with: data) }

        func pretty() throws -> String {
            let pretty = try JSONSerialization.data(withJSONObject: try json(),
                                                    options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            let body = String(decoding: pretty, as: UTF8.self)
            return status == 200 ? body : "HTTP \(status ?? 0)\n\(body)"
        }
    }

    static func fetch(_ url: String) throws -> Fetched {
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
        return Fetched(status: status, data: data ?? Data())
    }

    // MARK: - Checks

    struct Verdict {
        let name: String
        let passed: Bool
        let evidence: String
        var line: String { "\(passed ? "PASS" : "FAIL")  \(name)  \(evidence)" }
    }

    /// Prints the verdicts (a Markdown section whose lines start PASS or FAIL)
    /// and exits 1 when any failed.
    static func finish(verdicts: [Verdict]) throws {
        let failed = verdicts.filter { !$0.passed }.count
        var out = "\n## Checks (minimum success criterion)\n\n```\n"
        out += verdicts.map(\.line).joined(separator: "\n")
        out += "\n```\n\n\(verdicts.count - failed) of \(verdicts.count) checks passed.\n"
        print(out, terminator: "")
        if failed > 0 { throw ExitCode.failure }
    }

    /// Checks 1–5 live in SQL (sql/functions/proof_checks.sql) so a DBA can run
    /// them as `select * from proof_checks()`.
    static func databaseChecks(_ db: Connection) -> [Verdict] {
        do {
            let result = try db.query("select \"check\", passed, evidence from proof_checks()", idempotent: true)
            let verdicts = try result.rows.map { row in
                Verdict(name: row.text(at: 0) ?? "?", passed: try row.decode(at: 1, as: Bool.self),
                        evidence: row.text(at: 2) ?? "")
            }
            return verdicts.isEmpty ? [Verdict(name: "proof_checks", passed: false, evidence: "0 rows from proof_checks()")]
                                    : verdicts
        } catch {
            return [Verdict(name: "proof_checks", passed: false,
                            evidence: "select * from proof_checks() failed (1 error): \(error)")]
        }
    }

    /// How a JSON object's keys differ from the expected ones (none when equal;
    /// with `exact: false` extra keys are allowed).
    static func keyProblems(_ value: Any?, _ expected: Set<String>, at place: String, exact: Bool = true) -> [String] {
        guard let object = value as? [String: Any] else { return ["\(place) is not an object"] }
        var problems: [String] = []
        let missing = expected.subtracting(object.keys)
        if !missing.isEmpty { problems.append("\(place) lacks \(missing.sorted().joined(separator: ", "))") }
        let extra = Set(object.keys).subtracting(expected)
        if exact && !extra.isEmpty { problems.append("\(place) has unexpected \(extra.sorted().joined(separator: ", "))") }
        return problems
    }

    /// A fetched endpoint's body as a JSON object, or the FAIL verdict saying why not.
    struct Unusable: Error { let verdict: Verdict }
    static func jsonObject(_ answer: Result<Fetched, Error>, check name: String, path: String)
        -> Result<(Fetched, [String: Any]), Unusable> {
        do {
            let fetched = try answer.get()
            guard let object = try fetched.json() as? [String: Any] else {
                return .failure(Unusable(verdict: Verdict(name: name, passed: false,
                                                          evidence: "HTTP \(fetched.status ?? 0): not a JSON object")))
            }
            return .success((fetched, object))
        } catch {
            return .failure(Unusable(verdict: Verdict(name: name, passed: false,
                                                      evidence: "GET \(path) failed (1 error): \(error)")))
        }
    }

    /// Check 6a: GET /api/_proof/autonomy has exactly the keys of PROOFS.md §4,
    /// at the top, in lastDecisionSummary and in every element of its arrays.
    static func autonomyShape(_ answer: Result<Fetched, Error>) -> Verdict {
        let name = "proof_autonomy_shape"
        let fetched: Fetched, object: [String: Any]
        switch jsonObject(answer, check: name, path: "/api/_proof/autonomy") {
        case .success(let got): (fetched, object) = got
        case .failure(let verdict): return verdict.verdict
        }
        var problems: [String] = []
        if fetched.status != 200 { problems.append("HTTP \(fetched.status ?? 0)") }
        problems += keyProblems(object, ["now", "loopEnabled", "lastTickAt", "tickIntervalSec", "lastDecisionSummary",
                                         "latestPlannerRuns", "latestEnqueuedJobs"], at: "top level")
        let summary = object["lastDecisionSummary"] as? [String: Any]
        problems += keyProblems(object["lastDecisionSummary"], ["botsEvaluated", "jobsEnqueued", "blocked", "reasonsTop"],
                                at: "lastDecisionSummary")
        if object["loopEnabled"] as? Bool == nil { problems.append("loopEnabled is not a boolean") }
        if !(object["tickIntervalSec"] is NSNumber) { problems.append("tickIntervalSec is not a number") }
        let arrays: [(String, Any?, Set<String>)] = [
            ("lastDecisionSummary.reasonsTop", summary?["reasonsTop"], ["reasonCode", "count"]),
            ("latestPlannerRuns", object["latestPlannerRuns"],
             ["id", "startedAt", "finishedAt", "botsEvaluated", "jobsEnqueued", "errors"]),
            ("latestEnqueuedJobs", object["latestEnqueuedJobs"], ["jobId", "botId", "type", "status", "createdAt"]),
        ]
        var counts: [String] = []
        for (place, value, keys) in arrays {
            guard let elements = value as? [Any] else { problems.append("\(place) is not an array"); continue }
            counts.append("\(elements.count) \(place)")
            for (index, element) in elements.enumerated() {
                problems += keyProblems(element, keys, at: "\(place)[\(index)]")
            }
        }
        if problems.isEmpty {
            return Verdict(name: name, passed: true,
                           evidence: "7 top-level and 4 lastDecisionSummary keys exactly as PROOFS.md §4; elements checked: "
                               + counts.joined(separator: ", "))
        }
        return Verdict(name: name, passed: false,
                       evidence: "\(problems.count) problem(s): " + problems.prefix(5).joined(separator: "; "))
    }

    /// Check 6b: GET /api/_proof/jobs has running, queued and completedLast1h
    /// objects of counts — running and queued with at least backtest, evolve,
    /// runner and every job_kinds.proof_key, completedLast1h with at least
    /// backtest and evolve — and the stuckRunningOverXmin array (PROOFS.md §4).
    static func jobsShape(_ answer: Result<Fetched, Error>, proofKeys: Result<[String], Error>) -> Verdict {
        let name = "proof_jobs_shape"
        let fetched: Fetched, object: [String: Any]
        switch jsonObject(answer, check: name, path: "/api/_proof/jobs") {
        case .success(let got): (fetched, object) = got
        case .failure(let verdict): return verdict.verdict
        }
        var problems: [String] = []
        if fetched.status != 200 { problems.append("HTTP \(fetched.status ?? 0)") }
        let kinds: [String]
        switch proofKeys {
        case .success(let keys):
            kinds = keys
            if keys.isEmpty { problems.append("job_kinds has no rows") }
        case .failure(let error):
            kinds = []
            problems.append("could not read job_kinds: \(error)")
        }
        problems += keyProblems(object, ["running", "queued", "completedLast1h", "stuckRunningOverXmin"], at: "top level")
        let required = Set(["backtest", "evolve", "runner"]).union(kinds)
        for (place, keys) in [("running", required), ("queued", required),
                              ("completedLast1h", Set(["backtest", "evolve"]))] {
            problems += keyProblems(object[place], keys, at: place, exact: false)
            for (key, value) in object[place] as? [String: Any] ?? [:] where !(value is NSNumber) {
                problems.append("\(place).\(key) is not a number")
            }
        }
        var stuck = 0
        if let elements = object["stuckRunningOverXmin"] as? [Any] {
            stuck = elements.count
            for (index, element) in elements.enumerated() {
                problems += keyProblems(element, ["jobId", "botId", "type", "startedAt", "ageMin"],
                                        at: "stuckRunningOverXmin[\(index)]")
            }
        } else {
            problems.append("stuckRunningOverXmin is not an array")
        }
        if problems.isEmpty {
            return Verdict(name: name, passed: true,
                           evidence: "running and queued count all \(kinds.count) job_kinds proof keys "
                               + "(\(kinds.joined(separator: ", "))); completedLast1h has "
                               + "\((object["completedLast1h"] as? [String: Any])?.count ?? 0) keys; "
                               + "\(stuck) stuckRunningOverXmin")
        }
        return Verdict(name: name, passed: false,
                       evidence: "\(problems.count) problem(s): " + problems.prefix(5).joined(separator: "; "))
    }

    /// Check 7 (PROOFS.md §8): the two `grep -R … web Sources` of the badge
    /// words print nothing. The words are spelled in pieces here (and nowhere
    /// else in this file) so that this file does not match itself.
    static func badgeWords(root: String) -> Verdict {
        let name = "no_misleading_badges"
        let word = "Fr" + "esh"
        let words = [word, "data" + word]
        var scanned = 0
        var hits: [String] = []
        for top in ["web", "Sources"] {
            let directory = "\(root)/\(top)"
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
                  let walker = FileManager.default.enumerator(atPath: directory) else {
                return Verdict(name: name, passed: false,
                               evidence: "0 files scanned: no \(top)/ directory under \(root) (set GAUNTLET_ROOT)")
            }
            while let relative = walker.nextObject() as? String {
                let path = "\(directory)/\(relative)"
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                      let data = FileManager.default.contents(atPath: path) else { continue }
                scanned += 1
                let text = String(decoding: data, as: UTF8.self)
                guard text.contains(word) else { continue }
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where line.contains(word) {
                    hits.append("\(top)/\(relative):\(number + 1)")
                }
            }
        }
        let quoted = words.map { "\"\($0)\"" }.joined(separator: " or ")
        if hits.isEmpty {
            return Verdict(name: name, passed: true,
                           evidence: "0 lines with \(quoted) in \(scanned) files under web/ and Sources/ of \(root)")
        }
        return Verdict(name: name, passed: false,
                       evidence: "\(hits.count) lines with \(quoted) in \(scanned) files: "
                           + hits.prefix(10).joined(separator: ", "))
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Data?, Int?, Error?) = (nil, nil, nil)
    func set(_ data: Data?, _ status: Int?, _ error: Error?) { lock.lock(); value = (data, status, error); lock.unlock() }
    func get() -> (Data?, Int?, Error?) { lock.lock(); defer { lock.unlock() }; return value }
}
