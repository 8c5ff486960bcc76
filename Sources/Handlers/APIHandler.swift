import FCGIHost
import Foundation
import Logging
import Postgres

/// The `RequestHandler` the host runs on each thread: route, run the action,
/// turn every failure into the JSON error envelope.
public final class APIHandler: RequestHandler {
    private let router: Router
    private let database: Database
    private let logger: Logger

    public init(router: Router, database options: Connection.Options, logger: Logger) {
        self.router = router
        self.database = Database(options: options)
        self.logger = logger
    }

    public func respond(to request: Request) -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        let match = router.match(method: request.method, path: request.path)
        let response = answer(request, match)
        let route: String
        if case .found(_, _, let pattern) = match { route = pattern } else { route = "unmatched" }
        HTTPMetrics.process.record(route: route, method: request.method, status: response.status,
                                   seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        return response
    }

    private func answer(_ request: Request, _ match: Router.Match) -> Response {
        do {
            switch match {
            case .notFound:
                throw APIError.notFound(request.path)
            case .wrongMethod(let allowed):
                throw APIError.methodNotAllowed(request.method, path: request.path, allowed: allowed)
            case .found(let action, let parameters, _):
                try APIHandler.checkBody(request)
                var logger = self.logger
                logger[metadataKey: "trace_id"] = "\(request.traceId.uuidString.lowercased())"
                return try action(RequestContext(request: request, parameters: parameters,
                                                 database: database, logger: logger))
            }
        } catch let error as APIError {
            return error.response(traceId: request.traceId)
        } catch let error as PostgresError {
            return APIHandler.apiError(for: error, request: request, logger: logger).response(traceId: request.traceId)
        } catch {
            logger.error("unhandled error", metadata: ["error": "\(error)", "trace_id": "\(request.traceId)"])
            return APIError(status: 500, code: "INTERNAL", message: "an unexpected error occurred",
                            suggestedFix: "report the trace_id; the host log has the details")
                .response(traceId: request.traceId)
        }
    }

    public func bodyTooLarge(_ request: Request, limit: Int) -> Response {
        APIError.bodyTooLarge(limit: limit).response(traceId: request.traceId)
    }

    /// A JSON body must parse, with no repeated key, before any action sees it, so
    /// every route gets the same 400 for the same mistake.
    static func checkBody(_ request: Request) throws {
        guard !request.body.isEmpty,
              let type = request.header("content-type"), type.lowercased().contains("json") else { return }
        _ = try RequestContext.parsedJSON(request.body)
    }

    /// Database failures the client did not cause are 5xx; the SQLSTATE is
    /// passed on so an operator can look it up, the SQL text is not.
    static func apiError(for error: PostgresError, request: Request, logger: Logger) -> APIError {
        // SQL functions raise stable codes as their message: P0002 for a
        // missing thing, P0001 for a refused state change, 22023 for a bad value.
        let clientErrors: [String: Int] = ["P0002": 404, "P0001": 409, "22023": 400]
        if let state = error.sqlState, let status = clientErrors[state],
           error.message.allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber }) {
            return APIError(status: status, code: error.message, message: error.detail ?? error.message,
                            suggestedFix: error.hint)
        }
        // Text PostgreSQL cannot store (a NUL, U+0000, in a JSON string or a query value;
        // Connection refuses the latter before libpq would cut it short) is the client's
        // input, whichever parameter carried it.
        if error.sqlState == "22P05" || error.sqlState == "22021" {
            return APIError(status: 400, code: "INVALID_PARAMETER",
                            message: "a text value holds a character the database cannot store (such as NUL, U+0000)",
                            suggestedFix: "remove control characters such as \\u0000 from the request's text values")
        }
        if error.sqlState == "57014" {
            return APIError(status: 504, code: "REQUEST_TIMEOUT", message: "the request took longer than the statement timeout",
                            suggestedFix: "retry; if it persists, raise GAUNTLET_STATEMENT_TIMEOUT_MS or narrow the request")
        }
        if error.isConnectionProblem {
            return APIError(status: 503, code: "DATABASE_UNAVAILABLE", message: error.message,
                            suggestedFix: "retry shortly; PostgreSQL is restarting or unreachable")
        }
        logger.error("database error", metadata: ["error": "\(error)", "trace_id": "\(request.traceId.uuidString.lowercased())"])
        return APIError(status: 500, code: "DATABASE_ERROR", message: "the database rejected the request",
                        suggestedFix: "report the trace_id; the host log has the details",
                        details: ["sqlstate": error.sqlState ?? ""])
    }
}
