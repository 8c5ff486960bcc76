import ArgumentParser
import Foundation
import Postgres

/// `gauntlet doctor`: checks what a running stack needs — packages, versions, the
/// database and its schema, the host's socket and its permissions, nginx, free disk,
/// the clock — and prints one line per check with what it found and, for a failure, the
/// fix. Exits 1 when any check fails (a warning alone exits 0).
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the stack (packages, database, socket, nginx, disk, clock) and print a fix for each failure.")

    enum Verdict: String { case pass = "PASS", warn = "WARN", fail = "FAIL" }

    struct Check {
        let name: String
        let verdict: Verdict
        let found: String
        let fix: String?
    }

    func run() throws {
        let environment = GauntletEnvironment()
        let checks = Self.checks(environment)
        for check in checks {
            let found = check.found.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .joined(separator: " ")
            print("\(check.verdict.rawValue)  \(check.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(found)")
            if let fix = check.fix, check.verdict != .pass { print("      fix: \(fix)") }
        }
        let failed = checks.filter { $0.verdict == .fail }.count
        print("\(checks.count - failed)/\(checks.count) checks without a failure")
        if failed > 0 { throw ExitCode(1) }
    }

    static func checks(_ environment: GauntletEnvironment) -> [Check] {
        var checks = [packages(), disk(environment.varDirectory)]
        let database = Self.database(environment)
        checks += database.checks
        checks.append(socket(environment))
        checks.append(nginx(environment))
        return checks
    }

    // MARK: the checks

    static let nginxPath = "/usr/sbin/nginx"

    static func packages() -> Check {
        let needed = [nginxPath: "nginx", "/usr/lib/postgresql/15/bin/postgres": "postgresql-15",
                      "/usr/lib/x86_64-linux-gnu/libfcgi.so.0": "libfcgi0ldbl", "/usr/lib/x86_64-linux-gnu/libpq.so.5": "libpq5"]
        let missing = needed.filter { !FileManager.default.fileExists(atPath: $0.key) }.map(\.value).sorted()
        return missing.isEmpty
            ? Check(name: "packages", verdict: .pass, found: "\(needed.values.sorted().joined(separator: ", ")) installed", fix: nil)
            : Check(name: "packages", verdict: .fail, found: "missing: \(missing.joined(separator: ", "))",
                    fix: "apt-get install \(missing.joined(separator: " ")) (scripts/up installs them)")
    }

    static func disk(_ directory: String) -> Check {
        var info = statvfs()
        guard statvfs(FileManager.default.fileExists(atPath: directory) ? directory : "/", &info) == 0 else {
            return Check(name: "disk", verdict: .warn, found: "cannot stat \(directory)", fix: nil)
        }
        let free = Double(info.f_bavail) * Double(info.f_frsize) / 1_073_741_824
        let found = String(format: "%.1f GiB free under %@", free, directory)
        if free < 0.1 { return Check(name: "disk", verdict: .fail, found: found, fix: "free disk space: PostgreSQL stops writing when it is full") }
        if free < 1 { return Check(name: "disk", verdict: .warn, found: found, fix: "free disk space soon (logs rotate at 50 MiB each)") }
        return Check(name: "disk", verdict: .pass, found: found, fix: nil)
    }

    static func database(_ environment: GauntletEnvironment) -> (checks: [Check], reachable: Bool) {
        let connection: Connection
        do {
            connection = try Connection(Connection.Options.fromEnvironment(environment.values, applicationName: "gauntlet-doctor"))
        } catch {
            return ([Check(name: "database", verdict: .fail, found: "cannot connect: \(error)",
                           fix: "start PostgreSQL (scripts/up) and check GAUNTLET_DATABASE_URL")], false)
        }
        var checks: [Check] = []
        do {
            let row = try connection.query("""
                select current_setting('server_version_num')::int as version,
                       (select count(*)::int from schema_migrations) as applied,
                       extract(epoch from now())::float8 as now
                """).single()
            let version: Int = try row.decode("version")
            checks.append(version >= 150_000
                ? Check(name: "database", verdict: .pass, found: "PostgreSQL \(version / 10000).\(version % 10000)", fix: nil)
                : Check(name: "database", verdict: .fail, found: "PostgreSQL \(version / 10000) is older than 15",
                        fix: "run PostgreSQL 15 (scripts/up installs it)"))
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: "\(environment.sqlDirectory)/migrations")) ?? [])
                .filter { $0.hasSuffix(".sql") }.count
            let applied: Int = try row.decode("applied")
            checks.append(applied >= files
                ? Check(name: "schema", verdict: .pass, found: "\(applied) migrations applied", fix: nil)
                : Check(name: "schema", verdict: .fail, found: "\(applied) of \(files) migrations applied",
                        fix: "gauntlet migrate (scripts/up runs it)"))
            let skew = abs(try row.decode("now", as: Double.self) - Date().timeIntervalSince1970)
            checks.append(skew < 2
                ? Check(name: "clock", verdict: .pass, found: String(format: "%.3f s from the database's", skew), fix: nil)
                : Check(name: "clock", verdict: .fail, found: String(format: "%.1f s from the database's", skew),
                        fix: "synchronise the clocks (systemd-timesyncd or chrony): leases and heartbeats compare them"))
        } catch let error as PostgresError where error.sqlState == "42P01" {
            checks.append(Check(name: "schema", verdict: .fail, found: "no Gauntlet schema", fix: "gauntlet migrate"))
        } catch {
            checks.append(Check(name: "database", verdict: .fail, found: "\(error)", fix: "look at var/log/postgres.log"))
        }
        return (checks, true)
    }

    static func socket(_ environment: GauntletEnvironment) -> Check {
        let path = environment.socketPath
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            return Check(name: "host socket", verdict: .fail, found: "\(path) does not exist",
                         fix: "start the host: scripts/up (or gauntlet host)")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        let group = attributes[.groupOwnerAccountName] as? String ?? "?"
        if mode & 0o007 != 0 {
            return Check(name: "host socket", verdict: .fail, found: "\(path) is mode \(String(mode, radix: 8)): other users can reach the host",
                         fix: "restart the host with scripts/up (it makes the socket 0660 for nginx's group)")
        }
        if let wanted = environment.values["GAUNTLET_SOCKET_GROUP"], wanted != group {
            return Check(name: "host socket", verdict: .fail, found: "\(path) belongs to group \(group), nginx's is \(wanted)",
                         fix: "restart the host with GAUNTLET_SOCKET_GROUP=\(wanted) (scripts/up sets it)")
        }
        let fd = Foundation.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        let connected = UnixAddress(path)?.withSockaddr { connect(fd, $0, $1) } ?? -1
        return connected == 0
            ? Check(name: "host socket", verdict: .pass, found: "\(path) accepts connections (mode \(String(mode, radix: 8)), group \(group))", fix: nil)
            : Check(name: "host socket", verdict: .fail, found: "\(path) refuses connections: \(String(cString: strerror(errno)))",
                    fix: "restart the host: scripts/reload (a stale socket file outlived its host)")
    }

    static func nginx(_ environment: GauntletEnvironment) -> Check {
        let prefix = "\(environment.varDirectory)/nginx"
        guard let pid = Pidfile(path: "\(prefix)/nginx.pid").runningPid() else {
            return Check(name: "nginx", verdict: .fail, found: "not running (no live pid in \(prefix)/nginx.pid)",
                         fix: "start it with scripts/up")
        }
        // nginx -t opens the pidfile and the master's files: only root can run it on this configuration.
        guard geteuid() == 0 else {
            return Check(name: "nginx", verdict: .pass,
                         found: "running (pid \(pid)); its configuration is tested only when doctor runs as root", fix: nil)
        }
        let test = Process()
        test.executableURL = URL(fileURLWithPath: nginxPath)
        test.arguments = ["-t", "-q", "-p", prefix, "-c", "\(prefix)/nginx.conf", "-e", "/dev/null"]
        test.standardOutput = FileHandle.nullDevice
        test.standardError = FileHandle.nullDevice
        do {
            try test.run()
            test.waitUntilExit()
        } catch {
            return Check(name: "nginx", verdict: .fail, found: "cannot run nginx -t: \(error)", fix: "apt-get install nginx")
        }
        return test.terminationStatus == 0
            ? Check(name: "nginx", verdict: .pass, found: "running (pid \(pid)); its configuration tests OK", fix: nil)
            : Check(name: "nginx", verdict: .fail, found: "running (pid \(pid)), but nginx -t rejects \(prefix)/nginx.conf",
                    fix: "run nginx -t -p \(prefix) -c \(prefix)/nginx.conf to see why, then scripts/up")
    }
}
