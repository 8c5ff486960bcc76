import Foundation

/// Where things live, from the environment `scripts/up` and `scripts/test` set.
struct GauntletEnvironment {
    let values: [String: String]

    init(_ values: [String: String] = ProcessInfo.processInfo.environment) { self.values = values }

    /// The project root (holds `sql/`): `GAUNTLET_ROOT`, else the working directory.
    var root: String { values["GAUNTLET_ROOT"] ?? FileManager.default.currentDirectoryPath }
    /// Runtime state (sockets, pidfiles, logs): `GAUNTLET_VAR`, else `<root>/var`.
    var varDirectory: String { values["GAUNTLET_VAR"] ?? "\(root)/var" }
    var sqlDirectory: String { values["GAUNTLET_SQL_DIR"] ?? "\(root)/sql" }
    /// The API contract the host serves as GET /api/openapi.json.
    var openAPIPath: String { "\(root)/openapi/gauntlet.yaml" }
    var socketPath: String { values["GAUNTLET_SOCKET"] ?? "\(varDirectory)/run/api.sock" }
    var hostPidfile: String { "\(varDirectory)/run/host.pid" }

    func int(_ name: String, default fallback: Int) -> Int { values[name].flatMap(Int.init) ?? fallback }
}
