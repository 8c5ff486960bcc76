internal import CZstd
import Foundation

/// zstd decompression through libzstd's streaming API, which needs no content size in
/// the frame header (Databento's streams do not always carry one) and handles
/// concatenated frames.
enum Zstd {
    static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    static func decompress(_ input: Data, name: String) throws(MarketDataError) -> Data {
        guard let stream = ZSTD_createDStream() else {
            throw MarketDataError(code: MarketDataError.badBarData, message: "\(name): could not allocate a zstd stream")
        }
        defer { ZSTD_freeDStream(stream) }
        ZSTD_initDStream(stream)

        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: ZSTD_DStreamOutSize(), alignment: 8)
        defer { chunk.deallocate() }
        var output = Data()
        // 0 after a call means the last frame is complete; anything else means more is expected.
        var hint = 0
        let failure: String? = input.withUnsafeBytes { raw -> String? in
            var inBuffer = ZSTD_inBuffer(src: raw.baseAddress, size: raw.count, pos: 0)
            while true {
                var outBuffer = ZSTD_outBuffer(dst: chunk.baseAddress, size: chunk.count, pos: 0)
                let consumedBefore = inBuffer.pos
                hint = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                if ZSTD_isError(hint) != 0 { return String(cString: ZSTD_getErrorName(hint)) }
                output.append(chunk.bindMemory(to: UInt8.self).baseAddress!, count: outBuffer.pos)
                // A full output buffer may hide more output; otherwise stop once input is used up.
                let outputFull = outBuffer.pos == outBuffer.size
                if inBuffer.pos == inBuffer.size, !outputFull { return nil }
                if inBuffer.pos == consumedBefore, outBuffer.pos == 0 { return "the stream stopped making progress" }
            }
        }
        if let failure {
            throw MarketDataError(code: MarketDataError.badBarData, message: "\(name): zstd data is corrupt (\(failure))")
        }
        guard hint == 0 else {
            throw MarketDataError(code: MarketDataError.badBarData, message: "\(name): zstd data is truncated")
        }
        return output
    }
}
