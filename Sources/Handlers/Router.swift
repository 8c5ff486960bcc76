import FCGIHost

/// Matches a method and path to a route. Patterns are literal segments and
/// `:name` captures (`/api/bots/:id/evolve`); nothing else, so the table reads
/// like the API reference.
public struct Router: Sendable {
    public typealias Action = @Sendable (RequestContext) throws -> Response

    struct Route: Sendable {
        let method: String
        let pattern: String
        let segments: [Substring]
        let action: Action
    }

    private var routes: [Route] = []

    public init() {}

    /// Every route as registered, in matching order: the table the API contract
    /// (`openapi/gauntlet.yaml`) is checked against.
    public var table: [(method: String, pattern: String)] { routes.map { ($0.method, $0.pattern) } }

    public mutating func add(_ method: String, _ pattern: String, _ action: @escaping Action) {
        routes.append(Route(method: method, pattern: pattern, segments: pattern.split(separator: "/"), action: action))
    }

    public mutating func get(_ pattern: String, _ action: @escaping Action) { add("GET", pattern, action) }
    public mutating func post(_ pattern: String, _ action: @escaping Action) { add("POST", pattern, action) }

    enum Match {
        case found(Action, parameters: [String: String], pattern: String)
        case wrongMethod(allowed: [String])
        case notFound
    }

    /// Literal segments win over captures: of the patterns that fit the path, only those
    /// with the most literal segments count, so `/api/bots/starter-pack` is the POST route
    /// alone (GET answers 405 with `Allow: POST`), not also `/api/bots/:id` with a bad id.
    func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/")
        var fitting: [(route: Route, parameters: [String: String], literals: Int)] = []
        for route in routes {
            guard let parameters = Router.capture(route.segments, parts) else { continue }
            fitting.append((route, parameters, route.segments.count - parameters.count))
        }
        let most = fitting.map(\.literals).max()
        var allowed: [String] = []
        for (route, parameters, literals) in fitting where literals == most {
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return .found(route.action, parameters: parameters, pattern: route.pattern)
            }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        return allowed.isEmpty ? .notFound : .wrongMethod(allowed: allowed)
    }

    private static func capture(_ pattern: [Substring], _ parts: [Substring]) -> [String: String]? {
        guard pattern.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (p, part) in zip(pattern, parts) {
            if p.first == ":" {
                parameters[String(p.dropFirst())] = String(part)
            } else if p != part {
                return nil
            }
        }
        return parameters
    }
}
