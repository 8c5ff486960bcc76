import Foundation

/// A pidfile written atomically (temp file + rename), so a reader never sees
/// half a number while a replacement host takes over.
struct Pidfile {
    let path: String

    /// The recorded pid if that process is still alive. EPERM means alive too:
    /// another user's process (nginx's root master, seen by `doctor` as the service user).
    func runningPid() -> Int32? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0,
              kill(pid, 0) == 0 || errno == EPERM else { return nil }
        return pid
    }

    func write(_ pid: Int32) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let staging = "\(path).\(pid)"
        try "\(pid)\n".write(toFile: staging, atomically: false, encoding: .utf8)
        guard rename(staging, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    func removeIfOwned(by pid: Int32) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) == pid else { return }
        unlink(path)
    }
}
