import Foundation
import Market

/// The span of each bar file — first bar's start to last bar's end — remembered per
/// path and decoding options, and kept only while the file's size and modification
/// time are unchanged. A worker asks for coverage on every job; this reads a file
/// once, not once per job. Shared by every `FileBarSource` in the process.
final class FileSpans: @unchecked Sendable {
    static let shared = FileSpans()

    private struct Key: Hashable {
        let path: String
        let stamps: String
        let zone: String
    }

    private struct Entry {
        let size: UInt64
        let modified: Date
        let span: Range<Int64>?
    }

    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    private var decodeCounts: [String: Int] = [:]

    /// How often the file at `path` was decoded (tests check the cache with it).
    func decodes(of path: String) -> Int { lock.withLock { decodeCounts[path, default: 0] } }

    /// Nil when the file holds no bars; throws what decoding it throws.
    func span(of path: String, options: BarFileOptions) throws(MarketDataError) -> Range<Int64>? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
        let modified = attributes?[.modificationDate] as? Date ?? .distantPast
        let key = Key(path: path, stamps: options.stamps.rawValue, zone: options.naiveTimeZone.identifier)
        if let entry = lock.withLock({ entries[key] }), entry.size == size, entry.modified == modified {
            return entry.span
        }
        // Decoded outside the lock: two threads may both read a new file once.
        var bars = try BarFileDecoder.decode(fileAt: path, options: options)
        let width = try bars.normalizeToTimeframe(default: .m1, origin: path)
        let span = bars.timestamps.min().flatMap { first in
            bars.timestamps.max().map { last in first..<(last + Int64(width.seconds)) }
        }
        lock.withLock {
            decodeCounts[path, default: 0] += 1
            entries[key] = Entry(size: size, modified: modified, span: span)
        }
        return span
    }
}
