import Foundation
import MarketData

/// The one answer to "what is configured, verified and in use?". Both
/// `/api/integrations/status` and `/api/system/status` render this value, so
/// they cannot disagree. Configuration comes from the environment (a set key
/// means configured, before any verification); verification and proof of use
/// come from `integration_usage_events`. Keys are read, never returned.
struct IntegrationReport: Encodable {
    struct Provider: Encodable {
        let provider: String
        /// primary | fallback | files | embedded-default
        let role: String
        let configured: Bool
        let inChain: Bool
        let verified: Bool
        let lastVerify: Verification?
        let lastUsedAt: String?
        let calls24h: Int
        /// READY (verified), CONFIGURED (not yet verified), FAILING (last
        /// verification failed), NOT_CONFIGURED
        let status: String
    }

    struct Verification: Decodable, Encodable {
        let ok: Bool
        let status: String
        let at: String
        let latencyMs: Double?
        let httpStatus: Int?
    }

    struct MarketData: Encodable {
        /// A real provider (Databento, Polygon or bar files) is configured.
        let configured: Bool
        /// Bars can be had at all — always true: the synthetic default exists.
        let available: Bool
        let usingSyntheticDefault: Bool
        let chain: [String]
        let status: String
        let providers: [Provider]
    }

    struct Broker: Encodable {
        let provider: String
        let configured: Bool
        /// Gauntlet has no broker client: never connected until one is verified.
        let connected: Bool
        let status: String
        let liveTrading: String
        let reasonCode: String
    }

    let marketData: MarketData
    let broker: Broker
}

enum IntegrationResolver {
    static let marketDataProviders = ["databento", "polygon", "file", "synthetic"]
    static let brokers = ["ironbeam"]
    static let brokerKey = "IRONBEAM_API_KEY"

    static func resolve(_ api: APIFunctions, environment: [String: String]) throws -> IntegrationReport {
        let usageText = try api.usageSummary()
        let usage = try JSONDecoder().decode([String: Usage].self, from: Data(usageText.utf8))
        let chain = BarSources.chain(environment: environment).providers

        let providers = marketDataProviders.map { name -> IntegrationReport.Provider in
            let configured = isConfigured(name, environment)
            let seen = usage[name]
            let verified = seen?.lastVerify?.ok ?? false
            let status: String
            if !configured { status = "NOT_CONFIGURED" }
            else if let last = seen?.lastVerify { status = last.ok ? "READY" : "FAILING" }
            else { status = "CONFIGURED" }
            return .init(provider: name, role: role(name), configured: configured, inChain: chain.contains(name),
                         verified: verified, lastVerify: seen?.lastVerify, lastUsedAt: seen?.lastUsedAt,
                         calls24h: seen?.calls24h ?? 0, status: status)
        }
        let real = providers.filter { $0.provider != "synthetic" && $0.configured }
        let marketData = IntegrationReport.MarketData(
            configured: !real.isEmpty, available: true, usingSyntheticDefault: chain == ["synthetic"], chain: chain,
            // Absent optional providers degrade, they never block: the embedded default still serves LAB.
            status: real.contains { $0.status == "FAILING" } || real.isEmpty ? "DEGRADED" : "OK",
            providers: providers)

        let brokerConfigured = environment[brokerKey].map { !$0.isEmpty } ?? false
        let broker = IntegrationReport.Broker(
            provider: "ironbeam", configured: brokerConfigured, connected: false,
            status: brokerConfigured ? "CONFIGURED_UNVERIFIED" : "NOT_CONFIGURED",
            liveTrading: "BLOCKED", reasonCode: "RISK_ENGINE_UNVERIFIED")
        return IntegrationReport(marketData: marketData, broker: broker)
    }

    struct Usage: Decodable {
        let calls24h: Int
        let lastUsedAt: String?
        let lastVerify: IntegrationReport.Verification?
    }

    static func isConfigured(_ provider: String, _ environment: [String: String]) -> Bool {
        func set(_ name: String) -> Bool { !(environment[name]?.trimmingCharacters(in: .whitespaces).isEmpty ?? true) }
        switch provider {
        case "databento": return set("DATABENTO_API_KEY")
        case "polygon": return set("POLYGON_API_KEY")
        case "file": return set("GAUNTLET_DATA_DIR")
        case "synthetic": return true
        default: return false
        }
    }

    static func role(_ provider: String) -> String {
        switch provider {
        case "databento": "primary"
        case "polygon": "fallback"
        case "file": "files"
        default: "embedded-default"
        }
    }
}
