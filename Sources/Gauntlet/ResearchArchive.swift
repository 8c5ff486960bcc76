import Foundation
import Postgres

/// `var/research/`, for people who `cat` it: `latest.partial.json` while a run is
/// active, `latest.json` (the last completed run) with its ISO-week archive
/// `YYYY-Www.json`, and `latest.error.json` while the newest finished run is a
/// failure. The database is the source (`research_export` decides every file's
/// content); this only mirrors it. Each file is written to a temporary name,
/// synced and renamed over the old one, so a reader sees the old file or the new
/// one, never half of either. The timer's leader calls `sync` every tick; an
/// unchanged export version costs one small query and touches no file.
struct ResearchArchive {
    let directory: String
    /// The export version last written in full; nil until the first sync, which
    /// therefore also clears files a previous life left behind.
    private var version: String?

    init(directory: String) {
        self.directory = directory
    }

    /// Brings the files up to date; returns the names written or removed (empty
    /// when nothing changed). A file error leaves `version` alone, so the next tick retries.
    mutating func sync(_ connection: Connection) throws -> [String] {
        let result = try connection.query("""
            select e ->> 'version' as version, e ->> 'week' as week,
                   jsonb_pretty(nullif(e -> 'partial', 'null')) as partial,
                   jsonb_pretty(nullif(e -> 'latest', 'null')) as latest,
                   jsonb_pretty(nullif(e -> 'error', 'null')) as error
              from research_export($1) e
            """, [version])
        guard let row = result.first, !(try row.isNull("version")) else { return [] }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var changed: [String] = []
        // latest.json before the partial file goes: a reader never finds neither.
        if let latest = try row.text("latest") {
            changed += try write("latest.json", latest)
            if let week = try row.text("week") { changed += try write("\(week).json", latest) }
        }
        changed += try replace("latest.partial.json", with: try row.text("partial"))
        changed += try replace("latest.error.json", with: try row.text("error"))
        version = try row.text("version")
        return changed
    }

    private func replace(_ name: String, with content: String?) throws -> [String] {
        if let content { return try write(name, content) }
        let path = "\(directory)/\(name)"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        try FileManager.default.removeItem(atPath: path)
        return ["-\(name)"]
    }

    /// Temporary file, fsync, rename: atomic on one filesystem. Skips a file whose
    /// content is already `content` (latest.json does not change with progress).
    private func write(_ name: String, _ content: String) throws -> [String] {
        let path = "\(directory)/\(name)"
        let bytes = Array((content + "\n").utf8)
        if let existing = FileManager.default.contents(atPath: path), existing.elementsEqual(bytes) { return [] }
        let temporary = "\(directory)/.\(name).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ArchiveError(path: temporary, operation: "open", code: errno) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + written, bytes.count - written) }
            guard n > 0 else {
                let code = errno
                close(fd); unlink(temporary)
                throw ArchiveError(path: temporary, operation: "write", code: code)
            }
            written += n
        }
        let syncError = fsync(fd) == 0 ? 0 : errno
        close(fd)
        guard syncError == 0 else {
            unlink(temporary)
            throw ArchiveError(path: temporary, operation: "fsync", code: syncError)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw ArchiveError(path: path, operation: "rename", code: code)
        }
        return [name]
    }
}

struct ArchiveError: Error, CustomStringConvertible {
    let path: String
    let operation: String
    let code: Int32

    var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}
