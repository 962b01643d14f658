internal import CDeflate
import Synchronization

/// A PNG writer of its own for the hot path: unfiltered scanlines compressed in
/// one call by libdeflate, with compressors reused across calls. For small
/// images libpng + zlib spend most of their time setting up and clearing zlib's
/// state; this path has none of that (see Benchmarks/README.md for the figures).
/// The only Swift file that talks to libdeflate.
enum PNGDeflateWriter {
    /// Writes a PNG of `rows` rows of `rowBytes` each, already packed as the
    /// colour type and bit depth require; a filter byte of 0 is added per row.
    static func write(
        width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, rowBytes: Int, level: Int,
        palette: [RGBA] = [], fillRow: (_ row: Int, _ out: UnsafeMutableBufferPointer<UInt8>) -> Void
    ) throws(RasterError) -> [UInt8] {
        let stride = rowBytes + 1
        let (rawCount, overflow) = stride.multipliedReportingOverflow(by: height)
        guard !overflow, rawCount < Int(Int32.max) else { throw .limitsExceeded("image too large for one PNG data chunk") }
        var raw = [UInt8](repeating: 0, count: rawCount)
        raw.withUnsafeMutableBufferPointer { buffer in
            for y in 0..<height {
                // The filter byte stays 0 (None); the row follows it.
                fillRow(y, UnsafeMutableBufferPointer(rebasing: buffer[(y * stride + 1)..<((y + 1) * stride)]))
            }
        }
        let compressed = try DeflatePool.shared.zlibCompress(raw, level: level)

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png.reserveCapacity(compressed.count + 64 + palette.count * 4)
        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [bitDepth, colorType, 0, 0, 0]  // deflate, adaptive filtering, no interlace
        appendChunk("IHDR", header, to: &png)
        if !palette.isEmpty {
            appendChunk("PLTE", palette.flatMap { [$0.r, $0.g, $0.b] }, to: &png)
            var alpha = palette.map(\.a)
            while let last = alpha.last, last == 255 { alpha.removeLast() }
            if !alpha.isEmpty { appendChunk("tRNS", alpha, to: &png) }
        }
        appendChunk("IDAT", compressed, to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
        png += bigEndian(UInt32(data.count))
        let start = png.count
        png += Array(type.utf8)
        png += data
        let crc = png.withUnsafeBufferPointer { buffer in
            libdeflate_crc32(0, buffer.baseAddress.map { $0 + start }, png.count - start)
        }
        png += bigEndian(crc)
    }
}

/// libdeflate compressors, one per level in use and thread, kept for reuse:
/// allocating one costs more than compressing a captcha.
final class DeflatePool: Sendable {
    static let shared = DeflatePool()

    /// A compressor is used by one thread at a time: it is taken out of the pool
    /// for the call and put back after.
    private struct Compressor: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private let idle = Mutex<[Int: [Compressor]]>([:])
    private static let keptPerLevel = 16

    func zlibCompress(_ input: [UInt8], level: Int) throws(RasterError) -> [UInt8] {
        let level = min(max(level, 1), 12)
        let compressor: Compressor
        if let reused = idle.withLock({ $0[level]?.popLast() }) {
            compressor = reused
        } else if let fresh = libdeflate_alloc_compressor(Int32(level)) {
            compressor = Compressor(pointer: fresh)
        } else {
            throw .limitsExceeded("libdeflate could not allocate a compressor (out of memory)")
        }
        defer {
            let kept = idle.withLock { table -> Bool in
                guard table[level, default: []].count < Self.keptPerLevel else { return false }
                table[level, default: []].append(compressor)
                return true
            }
            if !kept { libdeflate_free_compressor(compressor.pointer) }
        }
        let bound = libdeflate_zlib_compress_bound(compressor.pointer, input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                libdeflate_zlib_compress(compressor.pointer, source.baseAddress, source.count,
                                         destination.baseAddress, destination.count)
            }
        }
        guard written > 0 else { throw .corruptData(format: "PNG", message: "libdeflate could not compress the image data") }
        output.removeLast(output.count - written)
        return output
    }
}
