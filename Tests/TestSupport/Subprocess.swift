import Foundation

/// Runs a child process with posix_spawn and waitpid. Foundation's `Process`
/// can miss a child's exit on Linux and hang `waitUntilExit()` forever (seen
/// here in XCTest), so the tests do not use it.
public enum Subprocess {
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: Data
        public var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `/bin/sh -c command` with the test's environment.
    @discardableResult
    public static func shell(_ command: String) throws -> Output {
        try run("/bin/sh", ["-c", command])
    }

    /// Runs `path` with `arguments`, feeding `input` to its stdin and
    /// collecting its stdout. `environment` nil means inherit.
    public static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                           input: Data = Data()) throws -> Output {
        var stdinPipe: [Int32] = [0, 0], stdoutPipe: [Int32] = [0, 0]
        guard pipe(&stdinPipe) == 0, pipe(&stdoutPipe) == 0 else { throw POSIXError(.EMFILE) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        for fd in stdinPipe + stdoutPipe { posix_spawn_file_actions_addclose(&actions, fd) }

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envStrings = environment.map { $0.map { "\($0.key)=\($0.value)" } }
            ?? ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let envp = envStrings.map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        close(stdinPipe[0])
        close(stdoutPipe[1])
        guard spawned == 0 else {
            close(stdinPipe[1]); close(stdoutPipe[0])
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT)
        }
        // Write stdin on another thread so a child that writes a lot before
        // reading cannot deadlock against us.
        let writer = stdinPipe[1]
        let done = DispatchSemaphore(value: 0)
        Thread {
            input.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = write(writer, buffer.baseAddress! + offset, buffer.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
            close(writer)
            done.signal()
        }.start()
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(stdoutPipe[0], &chunk, chunk.count)
            if n <= 0 { break }
            output.append(chunk, count: n)
        }
        close(stdoutPipe[0])
        done.wait()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Output(status: exitCode, stdout: output)
    }

    /// Starts `path` in the background with stdin from /dev/null and stdout and
    /// stderr appended to `logPath`; returns its pid. The caller reaps it with
    /// `waitForExit` (or kills it first).
    public static func spawn(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                             logPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envStrings = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp = envStrings.map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT) }
        return pid
    }

    /// Waits up to `timeout` seconds for a spawned child to exit and reaps it.
    /// Returns its exit code (128 + signal when a signal ended it), or nil when it
    /// is still running. Checks every 20 ms: children here exit within seconds.
    public static func waitForExit(_ pid: pid_t, timeout: Double) -> Int32? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }
            if reaped < 0 && errno != EINTR { return nil }
            if Date() >= deadline { return nil }
            usleep(20_000)
        }
    }
}
