import FCGIHost
import Foundation
import Logging
import Postgres

/// What a route action gets: the request, its path captures and this
/// thread's database.
public struct RequestContext {
    public let request: Request
    public let parameters: [String: String]
    let database: Database
    public let logger: Logger

    /// This thread's connection, opened on first use. When PostgreSQL cannot
    /// be reached the request fails with 503 `DATABASE_UNAVAILABLE`.
    public func db() throws -> Connection { try database.connection() }

    /// The SQL functions the API calls (`APIFunctions`), on this thread's
    /// connection; the same 503 `DATABASE_UNAVAILABLE` when it cannot open.
    func api() throws -> APIFunctions { APIFunctions(try db()) }

    /// A path capture that must be a UUID (`/api/bots/:id`).
    public func uuidParameter(_ name: String) throws -> UUID {
        guard let text = parameters[name], let id = UUID(uuidString: text) else {
            throw APIError.invalidParameter(name, "'\(parameters[name] ?? "")' is not a UUID",
                                            fix: "use the id exactly as the API returned it")
        }
        return id
    }

    /// The body as a JSON object; an empty body is an empty object.
    public func jsonObject() throws -> [String: Any] {
        if request.body.isEmpty { return [:] }
        guard let object = try Self.parsedJSON(request.body) as? [String: Any] else {
            throw APIError.invalidJSON("expected a JSON object")
        }
        return object
    }

    /// A JSON body as the API accepts it: it parses, and no object repeats a key (which
    /// value would win is the parser's accident). The one home of those rules, for the
    /// check every JSON request passes (APIHandler) and for the routes that read bodies.
    static func parsedJSON(_ body: [UInt8]) throws -> Any {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw APIError.invalidJSON("it does not parse")
        }
        if let key = JSONDuplicateKeys.first(in: body) {
            throw APIError.invalidJSON("the key '\(key)' appears twice in one object")
        }
        return value
    }
}

/// One lazily opened connection per host thread, so a host that starts while
/// PostgreSQL is down still answers (`/api/ready` says why it is not ready).
final class Database {
    private let options: Connection.Options
    private var open: Connection?

    init(options: Connection.Options) { self.options = options }

    func connection() throws -> Connection {
        if let open { return open }
        do {
            let connection = try Connection(options)
            open = connection
            return connection
        } catch let error as PostgresError {
            throw APIError(status: 503, code: "DATABASE_UNAVAILABLE", message: error.message,
                           suggestedFix: "start PostgreSQL (scripts/up) or check GAUNTLET_DATABASE_URL / PG* variables")
        }
    }
}
