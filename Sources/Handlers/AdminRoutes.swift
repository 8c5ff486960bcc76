import FCGIHost
import Foundation
import Postgres

/// Metrics reset, revert to LAB, the loop switch and the kill switch — behind the admin token.
/// Each calls one SQL function that changes state and writes its events in
/// one transaction.
enum AdminRoutes {
    static func register(_ router: inout Router, auth: AdminAuth) {
        router.post("/api/admin/reset-metrics") { context in try auth.check(context.request); return try resetMetrics(context) }
        router.post("/api/admin/revert-stages") { context in try auth.check(context.request); return try revertStages(context) }
        router.post("/api/admin/loop") { context in try auth.check(context.request); return try setLoop(context) }
        router.post("/api/admin/kill-switch") { context in try auth.check(context.request); return try setKillSwitch(context) }
    }

    struct ResetRequest: Decodable {
        var dryRun: Bool?
        let scope: Scope
        var reasonCode: String?

        /// `"ALL"` or a list of bot ids.
        enum Scope: Decodable {
            case all
            case bots([UUID])

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) {
                    guard text == "ALL" else {
                        throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be \"ALL\" or a list of bot ids")
                    }
                    self = .all
                } else {
                    let ids = try container.decode([UUID].self)
                    guard !ids.isEmpty else {
                        throw DecodingError.dataCorruptedError(in: container, debugDescription: "must name at least one bot")
                    }
                    self = .bots(ids)
                }
            }

            var json: String {
                switch self {
                case .all: "\"ALL\""
                case .bots(let ids): "[" + ids.map { "\"\($0.uuidString.lowercased())\"" }.joined(separator: ",") + "]"
                }
            }
        }
    }

    static func resetMetrics(_ context: RequestContext) throws -> Response {
        let request = try context.body(ResetRequest.self, allowedKeys: ["dryRun", "scope", "reasonCode"])
        let reason = try reasonCode(request.reasonCode ?? "METRICS_RESET_REQUESTED")
        return .json(try context.api().resetMetrics(dryRun: request.dryRun ?? true, scope: JSONText(request.scope.json),
                                                    reason: reason, actor: actorName))
    }

    struct RevertRequest: Decodable { var reasonCode: String? }

    static func revertStages(_ context: RequestContext) throws -> Response {
        let request = try context.body(RevertRequest.self, allowedKeys: ["reasonCode"])
        let reason = try reasonCode(request.reasonCode ?? "BULK_REVERT_REBASELINE")
        return .json(try context.api().revertStagesToLab(actor: actorName, reason: reason))
    }

    struct LoopRequest: Decodable { let enabled: Bool }

    static func setLoop(_ context: RequestContext) throws -> Response {
        let request = try context.body(LoopRequest.self, allowedKeys: ["enabled"])
        return .json(try context.api().setLoopEnabled(request.enabled, actor: actorName))
    }

    struct KillSwitchRequest: Decodable {
        let engaged: Bool
        var reason: String?
    }

    /// `{"engaged": true|false, "reason"?}`: engaging cancels every working paper order
    /// and refuses new entries (set_kill_switch); the answer says whether it changed.
    static func setKillSwitch(_ context: RequestContext) throws -> Response {
        let request = try context.body(KillSwitchRequest.self, allowedKeys: ["engaged", "reason"])
        if let reason = request.reason, reason.count > 200 {
            throw APIError.invalidParameter("reason", "is \(reason.count) characters; at most 200", fix: "say why in a sentence")
        }
        return .json(try context.api().setKillSwitch(request.engaged, reason: request.reason))
    }

    /// Who the events and rows written by these actions name as the actor.
    static let actorName = "admin"

    /// Reason codes are stable identifiers, so free text is refused.
    static func reasonCode(_ text: String) throws -> String {
        guard !text.isEmpty, text.count <= 64, text.first!.isLetter,
              text.allSatisfy({ ($0.isUppercase && $0.isASCII) || $0.isNumber || $0 == "_" }) else {
            throw APIError.invalidParameter("reasonCode", "'\(text)' is not an UPPER_SNAKE_CASE code",
                                            fix: "for example INSTITUTIONAL_RESET_REQUIRED")
        }
        return text
    }
}
