import Foundation

/// gzip decompression through the system `gzip -dc`, which keeps zlib out of the
/// package (no extra system-library module for one file format).
enum Gzip {
    static let magic: [UInt8] = [0x1F, 0x8B]

    static func decompress(fileAt path: String) throws(MarketDataError) -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", "--", path]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw MarketDataError(
                code: MarketDataError.badBarData, message: "\(path): could not start gzip to decompress it",
                suggestedFix: "install gzip or decompress the file first")
        }
        // Read before waiting: a full pipe would otherwise block gzip forever.
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MarketDataError(
                code: MarketDataError.badBarData,
                message: "\(path): gzip could not decompress it (exit status \(process.terminationStatus))")
        }
        return data
    }
}
