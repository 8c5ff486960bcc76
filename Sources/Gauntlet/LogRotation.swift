import Foundation

/// Size-based rotation of the stack's logs (`$GAUNTLET_VAR/log/*.log`), run by every
/// `gauntlet timer` once a minute (each machine's timer rotates its own directory;
/// host.log once reached 214 MB). The processes write their logs through `>>` (O_APPEND),
/// so a file is rotated by copy and truncate: the copy becomes `NAME.log.1` (older ones
/// shift to `.2` … `.keep`, the oldest goes) and the writers go on at the start of the
/// emptied file, with no restart and no signal. Lines written between the copy and the
/// truncation (a few microseconds) are lost, as with logrotate's copytruncate.
struct LogRotation {
    let directory: String
    /// A log larger than this is rotated (GAUNTLET_LOG_MAX_BYTES, default 50 MiB).
    let maxBytes: Int
    /// Rotated copies kept per log (GAUNTLET_LOG_KEEP, default 5).
    let keep: Int

    init(directory: String, environment: [String: String]) {
        self.directory = directory
        maxBytes = environment["GAUNTLET_LOG_MAX_BYTES"].flatMap(Int.init).map { max($0, 1024) } ?? 50 << 20
        keep = environment["GAUNTLET_LOG_KEEP"].flatMap(Int.init).map { min(max($0, 1), 50) } ?? 5
    }

    /// Rotates every log over the limit; returns the names rotated.
    @discardableResult
    func run() throws -> [String] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return [] }
        var rotated: [String] = []
        for name in names.sorted() where name.hasSuffix(".log") {
            let path = "\(directory)/\(name)"
            guard let size = (try? fm.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue > maxBytes else {
                continue
            }
            try? fm.removeItem(atPath: "\(path).\(keep)")
            for index in stride(from: keep - 1, through: 1, by: -1) where fm.fileExists(atPath: "\(path).\(index)") {
                try fm.moveItem(atPath: "\(path).\(index)", toPath: "\(path).\(index + 1)")
            }
            try fm.copyItem(atPath: path, toPath: "\(path).1")
            guard truncate(path, 0) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            rotated.append(name)
        }
        return rotated
    }
}
