import FCGIHost
import Foundation
import MarketData
import Postgres

/// Integrations, system status and "Kickoff Testing Now".
enum IntegrationRoutes {
    static func register(_ router: inout Router, environment: [String: String]) {
        router.get("/api/integrations/status") { context in try status(context, environment) }
        router.post("/api/integrations/verify") { context in try verify(context, environment) }
        router.get("/api/system/status") { context in try system(context, environment) }
        router.post("/api/kickoff") { context in try kickoff(context, environment) }
    }

    static func status(_ context: RequestContext, _ environment: [String: String]) throws -> Response {
        .json(JSON.encode(try IntegrationResolver.resolve(context.api(), environment: environment)))
    }

    struct VerifyRequest: Decodable { let provider: String }

    struct VerifyResult: Encodable {
        let provider: String
        let ok: Bool
        /// VERIFIED | NOT_CONFIGURED | FAILED | UNSUPPORTED
        let status: String
        let code: String?
        let message: String
        let suggestedFix: String?
        let httpStatus: Int?
        let latencyMs: Double
    }

    /// A real minimal call where a key exists; a plain NOT_CONFIGURED where not.
    static func verify(_ context: RequestContext, _ environment: [String: String]) throws -> Response {
        let request = try context.body(VerifyRequest.self, allowedKeys: ["provider"])
        let name = request.provider.lowercased()
        let known = IntegrationResolver.marketDataProviders + IntegrationResolver.brokers
        guard known.contains(name) else {
            throw APIError(status: 400, code: "UNKNOWN_PROVIDER", message: "'\(request.provider)' is not a known provider",
                           suggestedFix: "use one of: \(known.joined(separator: ", "))", details: ["provider": request.provider])
        }
        let result = name == "ironbeam"
            ? verifyBroker(environment)
            : try verifyMarketData(name, context: context, environment: environment)
        return .json(JSON.encode(result))
    }

    static func verifyMarketData(_ name: String, context: RequestContext, environment: [String: String]) throws -> VerifyResult {
        let check = BarSources.verify(provider: name, environment: environment, traceId: context.request.traceId)
        let configured = IntegrationResolver.isConfigured(name, environment)
        // Unconfigured providers made no call, so there is nothing to prove or record.
        if configured { try record(check, api: context.api()) }
        return VerifyResult(provider: name, ok: check.ok,
                            status: check.ok ? "VERIFIED" : (configured ? "FAILED" : "NOT_CONFIGURED"),
                            code: check.code, message: check.message, suggestedFix: check.suggestedFix,
                            httpStatus: check.httpStatus, latencyMs: check.latencyMs)
    }

    static func verifyBroker(_ environment: [String: String]) -> VerifyResult {
        let configured = environment[IntegrationResolver.brokerKey].map { !$0.isEmpty } ?? false
        return configured
            ? VerifyResult(provider: "ironbeam", ok: false, status: "UNSUPPORTED", code: "BROKER_CLIENT_NOT_IMPLEMENTED",
                           message: "a broker credential is set, but Gauntlet has no broker client and places no orders; live trading stays BLOCKED",
                           suggestedFix: nil, httpStatus: nil, latencyMs: 0)
            : VerifyResult(provider: "ironbeam", ok: false, status: "NOT_CONFIGURED", code: "NOT_CONFIGURED",
                           message: "no broker credential is configured", suggestedFix: "set \(IntegrationResolver.brokerKey)",
                           httpStatus: nil, latencyMs: 0)
    }

    /// The provider calls plus one `verify` row: the last one is what
    /// "verified" means in the integration report.
    static func record(_ check: ProviderCheck, api: APIFunctions) throws {
        struct Row: Encodable {
            let provider, endpoint, status: String
            let http_status: Int?
            let latency_ms: Double
            let bars_returned: Int
            let trace_id: UUID?
        }
        var rows = check.usage.map {
            Row(provider: $0.provider, endpoint: $0.endpoint, status: $0.status, http_status: $0.httpStatus,
                latency_ms: $0.latencyMs, bars_returned: $0.barsReturned, trace_id: $0.traceId)
        }
        rows.append(Row(provider: check.provider, endpoint: "verify", status: check.ok ? "OK" : (check.code ?? "FAILED"),
                        http_status: check.httpStatus, latency_ms: check.latencyMs, bars_returned: 0,
                        trace_id: check.usage.first?.traceId))
        try api.recordUsage(try JSONText(encoding: rows))
    }

    struct SystemStatus: Encodable {
        struct Stage: Encodable { let status: String; let reasonCode: String? }
        let now: String
        let version: String
        let status: String
        let integrations: IntegrationReport
        let stages: [String: Stage]
    }

    /// Everything on one page, from the same resolver as the integrations.
    static func system(_ context: RequestContext, _ environment: [String: String]) throws -> Response {
        let api = try context.api()
        let integrations = try IntegrationResolver.resolve(api, environment: environment)
        let counts = try api.systemCounts()
        let lab = SystemStatus.Stage(status: integrations.marketData.available ? "OK" : "BLOCKED",
                                     reasonCode: integrations.marketData.available ? nil : "NO_MARKET_DATA")
        let blocked = SystemStatus.Stage(status: "BLOCKED", reasonCode: "RISK_ENGINE_UNVERIFIED")
        let shadow = SystemStatus.Stage(status: integrations.marketData.configured ? "OK" : "DEGRADED",
                                        reasonCode: integrations.marketData.configured ? nil : "NO_REAL_MARKET_DATA")
        let status = SystemStatus(
            now: PostgresTimestampText.now(), version: GauntletVersion.current,
            status: integrations.marketData.status == "OK" ? "OK" : "DEGRADED", integrations: integrations,
            stages: ["LAB": lab, "PAPER": lab, "SHADOW": shadow, "CANARY": blocked, "LIVE": blocked])
        // Splice the SQL-built counts in beside the Swift-built document.
        var text = JSON.encode(status)
        text.removeLast()
        return .json(text + ",\"counts\":\(counts)}")
    }

    /// "Kickoff Testing Now": verify the primary providers, queue baselines for
    /// every bot that lacks one, answer with the counts.
    static func kickoff(_ context: RequestContext, _ environment: [String: String]) throws -> Response {
        _ = try context.body(EmptyRequest.self, allowedKeys: [])
        let chain = BarSources.chain(environment: environment).providers
        let checks = try chain.map { try verifyMarketData($0, context: context, environment: environment) }
        let api = try context.api()
        let queued = try api.enqueueMissingBaselines(reason: "KICKOFF")
        let counts = try api.systemCounts()
        return .json("{\"verified\":\(JSON.encode(checks)),\"baselines\":\(queued),\"counts\":\(counts)}", status: 202)
    }

    struct EmptyRequest: Decodable {}
}

enum PostgresTimestampText {
    static func now() -> String { Date().postgresText }
}
