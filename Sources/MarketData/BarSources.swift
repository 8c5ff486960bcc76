import Foundation

/// Builds bar sources from configuration (environment variables) and CLI specs.
///
/// | variable | meaning |
/// |---|---|
/// | `DATABENTO_API_KEY` | enables Databento (primary) |
/// | `POLYGON_API_KEY` | enables Polygon (fallback) |
/// | `GAUNTLET_DATA_DIR` | enables the file provider on this file or directory, for the instruments its files name |
/// | `GAUNTLET_DATA_PROVIDERS` | explicit order, e.g. `file,databento` |
/// | `DATABENTO_BASE_URL`, `POLYGON_BASE_URL` | API endpoints (tests, proxies) |
/// | `GAUNTLET_DATA_STAMPS` | `start` (default) or `end`: what file stamps mark |
/// | `GAUNTLET_DATA_TIMEZONE` | zone of file stamps without an offset (default UTC) |
/// | `GAUNTLET_SYNTHETIC_SEED` | seed of the synthetic provider (default 1) |
///
/// Who serves an instrument (`chain`, then `ProviderChain.route(for:)`):
///
/// | configured | an instrument the files name | any other instrument |
/// |---|---|---|
/// | nothing | synthetic | synthetic |
/// | `GAUNTLET_DATA_DIR` only | file (a failure fails) | synthetic |
/// | an API key (± `GAUNTLET_DATA_DIR`) | databento, polygon, then file | databento, polygon |
/// | `GAUNTLET_DATA_PROVIDERS` | the listed providers that cover it, else all listed | the listed providers |
public enum BarSources {
    public static let providerNames = ["databento", "polygon", "file", "synthetic"]

    /// Databento, then Polygon, then files — whichever are configured, or the explicit
    /// `GAUNTLET_DATA_PROVIDERS` order (a listed but unconfigured provider fails with
    /// NOT_CONFIGURED). Synthetic when no real provider is configured, and — when files
    /// are the only real provider — for the instruments no file names. It is never a
    /// fallback behind a real provider for the same instrument.
    public static func chain(environment: [String: String]) -> ProviderChain {
        var notes: [String] = []
        let names: [String]
        let explicit = value("GAUNTLET_DATA_PROVIDERS", environment)
        if let explicit {
            var listed: [String] = []
            for name in explicit.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() })
            where !name.isEmpty {
                if !providerNames.contains(name) {
                    notes.append("ignored unknown provider '\(name)' in GAUNTLET_DATA_PROVIDERS")
                } else if !listed.contains(name) {
                    listed.append(name)
                }
            }
            if listed.contains("synthetic"), listed.count > 1 {
                listed.removeAll { $0 == "synthetic" }
                notes.append("dropped 'synthetic' from GAUNTLET_DATA_PROVIDERS: it never backs up a real provider")
            }
            names = listed
        } else {
            names = ["databento", "polygon", "file"].filter { isConfigured($0, environment) }
        }
        if names.isEmpty {
            return ProviderChain(members: [synthetic(environment)], notes: notes + ["no real provider configured: bars are synthetic"])
        }
        let members = names.map { name -> any BarSource in
            do throws(MarketDataError) {
                return try make(spec: name, environment: environment)
            } catch {
                return MisconfiguredSource(provider: name, error: error)
            }
        }
        // Files hold the instruments they name and no others; an API serves them all.
        // So only when files are the whole (default) configuration do the others get
        // synthetic bars — labelled so, and never for an instrument a file names.
        if explicit == nil, names == ["file"] {
            return ProviderChain(
                members: members, uncoveredSource: synthetic(environment),
                notes: notes + ["instruments without a bar file under GAUNTLET_DATA_DIR get synthetic bars"])
        }
        return ProviderChain(members: members, notes: notes)
    }

    /// A source from a CLI spec: `synthetic[:SEED]`, `file:PATH[?stamps=end&tz=ZONE]`,
    /// `databento`, `polygon`, or `auto` (the configured chain).
    public static func make(spec: String, environment: [String: String]) throws(MarketDataError) -> any BarSource {
        let trimmed = spec.trimmingCharacters(in: .whitespaces)
        let (kind, argument) = trimmed.firstIndex(of: ":").map {
            (String(trimmed[..<$0]).lowercased(), String(trimmed[trimmed.index(after: $0)...]))
        } ?? (trimmed.lowercased(), "")
        switch kind {
        case "synthetic":
            guard argument.isEmpty || UInt64(argument) != nil else { throw invalid(spec, "the seed must be a whole number") }
            return argument.isEmpty ? synthetic(environment) : SyntheticBarSource(seed: UInt64(argument)!)
        case "file":
            let path = argument.isEmpty ? value("GAUNTLET_DATA_DIR", environment) : argument
            guard let path else {
                throw MarketDataError(
                    code: MarketDataError.notConfigured, message: "file provider has no path",
                    suggestedFix: "use file:PATH or set GAUNTLET_DATA_DIR")
            }
            return try fileSource(path, environment: environment)
        case "databento":
            guard let key = value("DATABENTO_API_KEY", environment),
                  let source = DatabentoBarSource(apiKey: key, baseURL: try url("DATABENTO_BASE_URL", environment)
                      ?? DatabentoBarSource.defaultBaseURL)
            else { throw notConfigured("databento", "DATABENTO_API_KEY") }
            return source
        case "polygon":
            guard let key = value("POLYGON_API_KEY", environment),
                  let source = PolygonBarSource(apiKey: key, baseURL: try url("POLYGON_BASE_URL", environment)
                      ?? PolygonBarSource.defaultBaseURL)
            else { throw notConfigured("polygon", "POLYGON_API_KEY") }
            return source
        case "auto", "chain":
            return chain(environment: environment)
        default:
            throw invalid(spec, "expected synthetic, file:PATH, databento, polygon or auto")
        }
    }

    /// A minimal authorised call to one provider. HTTP providers without a key answer
    /// NOT_CONFIGURED; `file` checks that its path exists; `synthetic` is always ready.
    public static func verify(provider: String, environment: [String: String], traceId: UUID = UUID()) -> ProviderCheck {
        let name = provider.lowercased()
        let source: any BarSource
        do throws(MarketDataError) {
            source = try make(spec: name, environment: environment)
        } catch {
            return ProviderCheck(
                provider: name, ok: false, code: error.code, message: error.message, suggestedFix: error.suggestedFix,
                httpStatus: nil, latencyMs: 0, usage: [])
        }
        switch source {
        case let databento as DatabentoBarSource: return databento.verify(traceId: traceId)
        case let polygon as PolygonBarSource: return polygon.verify(traceId: traceId)
        case let file as FileBarSource:
            let exists = FileManager.default.fileExists(atPath: file.path)
            return ProviderCheck(
                provider: "file", ok: exists, code: exists ? nil : MarketDataError.fileNotFound,
                message: exists ? "\(file.path) exists" : "no file or directory at \(file.path)",
                suggestedFix: exists ? nil : "set GAUNTLET_DATA_DIR to an existing path", httpStatus: nil, latencyMs: 0,
                usage: [])
        default:
            return ProviderCheck(
                provider: source.provider, ok: true, code: nil, message: "\(source.provider) needs no credentials",
                suggestedFix: nil, httpStatus: nil, latencyMs: 0, usage: [])
        }
    }

    // MARK: - Helpers

    private static func synthetic(_ environment: [String: String]) -> SyntheticBarSource {
        SyntheticBarSource(seed: value("GAUNTLET_SYNTHETIC_SEED", environment).flatMap { UInt64($0) } ?? 1)
    }

    /// `PATH?stamps=end&tz=America/New_York`; options default to the environment's.
    private static func fileSource(_ spec: String, environment: [String: String]) throws(MarketDataError) -> FileBarSource {
        let parts = spec.split(separator: "?", maxSplits: 1).map(String.init)
        var options = BarFileOptions()
        var settings: [(String, String)] = []
        if let stamps = value("GAUNTLET_DATA_STAMPS", environment) { settings.append(("stamps", stamps)) }
        if let zone = value("GAUNTLET_DATA_TIMEZONE", environment) { settings.append(("tz", zone)) }
        for pair in parts.count > 1 ? parts[1].split(separator: "&") : [] {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            settings.append((kv[0].lowercased(), kv.count > 1 ? kv[1] : ""))
        }
        for (key, setting) in settings {
            switch key {
            case "stamps":
                guard let stamps = BarFileOptions.Stamps(rawValue: setting.lowercased()) else {
                    throw invalid(spec, "stamps must be start or end")
                }
                options.stamps = stamps
            case "tz":
                guard let zone = TimeZone(identifier: setting) else { throw invalid(spec, "unknown time zone \(setting)") }
                options.naiveTimeZone = zone
            default:
                throw invalid(spec, "unknown file option \(key) (stamps, tz)")
            }
        }
        return FileBarSource(path: parts[0], options: options)
    }

    private static func isConfigured(_ name: String, _ environment: [String: String]) -> Bool {
        value(variable(for: name), environment) != nil
    }

    private static func variable(for provider: String) -> String {
        switch provider {
        case "databento": "DATABENTO_API_KEY"
        case "polygon": "POLYGON_API_KEY"
        default: "GAUNTLET_DATA_DIR"
        }
    }

    private static func value(_ name: String, _ environment: [String: String]) -> String? {
        guard let raw = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
        return raw
    }

    private static func url(_ name: String, _ environment: [String: String]) throws(MarketDataError) -> URL? {
        guard let raw = value(name, environment) else { return nil }
        guard let url = URL(string: raw), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw MarketDataError(
                code: MarketDataError.invalidSpec, message: "\(name) is not an http(s) URL: \(raw)",
                suggestedFix: "set \(name) to e.g. https://host[:port]")
        }
        return url
    }

    private static func notConfigured(_ provider: String, _ variable: String) -> MarketDataError {
        MarketDataError(
            code: MarketDataError.notConfigured, message: "\(provider) has no API key", suggestedFix: "set \(variable)")
    }

    private static func invalid(_ spec: String, _ detail: String) -> MarketDataError {
        MarketDataError(
            code: MarketDataError.invalidSpec, message: "bad provider spec '\(spec)': \(detail)",
            suggestedFix: "use synthetic[:SEED], file:PATH[?stamps=end&tz=ZONE], databento, polygon or auto")
    }
}
