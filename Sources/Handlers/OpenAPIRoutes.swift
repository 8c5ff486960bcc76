import FCGIHost
import Foundation
import Yams

/// GET /api/openapi.json: the API contract. Its one home is `openapi/gauntlet.yaml`
/// (OpenAPI 3.1); the host reads it once at start and serves it as JSON, so a new
/// contract goes live with the host (`scripts/reload`). A missing or broken file
/// leaves the host running and this route answering 500 `OPENAPI_SPEC_UNAVAILABLE`
/// with the reason.
enum OpenAPIRoutes {
    static func register(_ router: inout Router, document: OpenAPIDocument) {
        router.get("/api/openapi.json") { _ in
            switch document {
            case .loaded(let json):
                return Response(status: 200, headers: [("Content-Type", "application/json")], body: json)
            case .unavailable(let path, let reason):
                throw APIError(status: 500, code: "OPENAPI_SPEC_UNAVAILABLE",
                               message: "the API contract could not be read: \(reason)",
                               suggestedFix: "restore openapi/gauntlet.yaml under GAUNTLET_ROOT and reload the host (scripts/reload)",
                               details: ["file": (path as NSString).lastPathComponent])
            }
        }
    }
}

/// The contract as the host serves it: the YAML file turned into JSON bytes once,
/// or why that failed.
public enum OpenAPIDocument: Sendable {
    case loaded(json: [UInt8])
    case unavailable(path: String, reason: String)

    /// Reads `path` (the host passes `openapi/gauntlet.yaml` under GAUNTLET_ROOT).
    public static func load(path: String) -> OpenAPIDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .unavailable(path: path, reason: "\(path) does not exist or cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .unavailable(path: path, reason: "\(path) is not UTF-8 text")
        }
        do {
            let json = try JSONSerialization.data(withJSONObject: try contract(yaml: text),
                                                  options: [.sortedKeys, .withoutEscapingSlashes])
            return .loaded(json: Array(json))
        } catch let error as OpenAPIError {
            return .unavailable(path: path, reason: error.reason)
        } catch {
            return .unavailable(path: path, reason: "\(error)")
        }
    }

    /// The YAML text as a JSON-ready object, checked to be an OpenAPI 3.1 document
    /// with paths.
    public static func contract(yaml: String) throws -> [String: Any] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml, resolver)
        } catch {
            throw OpenAPIError(reason: "the YAML does not parse: \(error)")
        }
        guard let root, let document = try value(root) as? [String: Any] else {
            throw OpenAPIError(reason: "the document is not a YAML mapping")
        }
        guard let version = document["openapi"] as? String, version.hasPrefix("3.1.") else {
            throw OpenAPIError(reason: "`openapi` must be a 3.1.x version string")
        }
        guard document["paths"] is [String: Any], document["info"] is [String: Any] else {
            throw OpenAPIError(reason: "`info` and `paths` must be mappings")
        }
        return document
    }

    /// YAML 1.2's core schema, which JSON shares: only true/false are booleans (1.1's
    /// yes/no/on/off stay strings), no timestamps, no `<<` merges, no infinities.
    private static let resolver: Resolver = {
        // The patterns are constants; they compile.
        try! Resolver.basic
            .appending(.null, "^(?:~|null|Null|NULL|)$")
            .appending(.bool, "^(?:true|True|TRUE|false|False|FALSE)$")
            .appending(.int, "^[-+]?[0-9]+$")
            .appending(.float, "^[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
    }()

    private static func value(_ node: Node) throws -> Any {
        switch node {
        case .scalar(let scalar):
            let text = scalar.string
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return NSNull()
            case Tag.Name.bool.rawValue: return text.lowercased() == "true"
            case Tag.Name.int.rawValue:
                guard let int = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
                    throw OpenAPIError(reason: "\(at(node))the integer \(text) is out of range")
                }
                return int
            case Tag.Name.float.rawValue:
                guard let double = Double(text), double.isFinite else {
                    throw OpenAPIError(reason: "\(at(node))\(text) is not a finite number")
                }
                return double
            default: return text
            }
        case .mapping(let mapping):
            var object: [String: Any] = [:]
            for (key, item) in mapping {
                guard case .scalar(let scalar) = key else {
                    throw OpenAPIError(reason: "\(at(key))a mapping key must be a scalar")
                }
                guard object[scalar.string] == nil else {
                    throw OpenAPIError(reason: "\(at(key))the key '\(scalar.string)' appears twice in one mapping")
                }
                object[scalar.string] = try value(item)
            }
            return object
        case .sequence(let sequence):
            return try sequence.map(value)
        case .alias:
            throw OpenAPIError(reason: "\(at(node))unresolved YAML alias")
        }
    }

    private static func at(_ node: Node) -> String {
        guard let mark = node.mark else { return "" }
        return "line \(mark.line): "
    }
}

public struct OpenAPIError: Error {
    public let reason: String
}
