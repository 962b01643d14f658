internal import CDeflate
import Synchronization

/// libdeflate: whole-buffer deflate, zlib streams and their checksums. The only
/// Swift file that talks to libdeflate.
enum Libdeflate {
    static func crc32(_ bytes: UnsafeBufferPointer<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        libdeflate_crc32(crc, bytes.baseAddress, bytes.count)
    }

    static func adler32(_ bytes: UnsafeBufferPointer<UInt8>, continuing adler: UInt32 = 1) -> UInt32 {
        libdeflate_adler32(adler, bytes.baseAddress, bytes.count)
    }

    /// Inflates a whole zlib stream into `output`, which must be exactly the
    /// inflated size: false when the stream is damaged, shorter or longer.
    static func zlibDecompress(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        guard let decompressor = libdeflate_alloc_decompressor() else { return false }
        defer { libdeflate_free_decompressor(decompressor) }
        let result = libdeflate_zlib_decompress(
            decompressor, input.baseAddress, input.count, output.baseAddress, output.count, nil)
        return result == LIBDEFLATE_SUCCESS
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
        try input.withUnsafeBufferPointer { bytes throws(RasterError) in try zlibCompress(bytes, level: level) }
    }

    func zlibCompress(_ input: UnsafeBufferPointer<UInt8>, level: Int) throws(RasterError) -> [UInt8] {
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
        let written = output.withUnsafeMutableBytes { destination in
            libdeflate_zlib_compress(compressor.pointer, input.baseAddress, input.count,
                                     destination.baseAddress, destination.count)
        }
        guard written > 0 else { throw .corruptData(format: "PNG", message: "libdeflate could not compress the image data") }
        output.removeLast(output.count - written)
        return output
    }
}
