import Dispatch
import Foundation
import Synchronization

extension PNG {
    /// How hard the picture writer compresses; each level filters every row
    /// with the best of PNG's five filters.
    public enum Compression: String, Sendable, Hashable, CaseIterable {
        /// upare's run-length deflate (`RunLengthDeflate`) in strips on all
        /// cores: 12 MP in about 0.3 s on one core, 13x libpng's default; as
        /// small as libdeflate on photos, larger on smooth synthetic pictures.
        case fast
        /// libdeflate level 5 on one core after filtering on all cores: within
        /// 0.1% of level 6's size and up to a fifth faster (Benchmarks/README.md).
        case `default`
        /// libdeflate level 10 (level 12 took six times as long for no gain);
        /// libpng at zlib level 9 with its own filter choice is tried too and
        /// the smaller file kept, so `best` is never larger than libpng's best.
        case best
    }

    /// Encodes a picture with adaptive row filters, for pictures of any size
    /// (disorder, conversion, avatars). `threads` 0 means all cores; pass 1 when
    /// the caller already runs one picture per core. `chunks` (four-letter
    /// ancillary types) go right after IHDR.
    public static func encode(
        _ image: Image, layout: Layout = .automatic, compression: Compression, threads: Int = 0,
        chunks: [(type: String, data: [UInt8])] = []
    ) throws(RasterError) -> [UInt8] {
        for chunk in chunks {
            let name = Array(chunk.type.utf8)
            guard name.count == 4, name.allSatisfy({ (65...90).contains($0) || (97...122).contains($0) }), name[0] >= 97 else {
                throw .invalidArgument("an extra chunk's type is four ASCII letters, the first lower-case (ancillary)")
            }
        }
        let resolved = resolvedLayout(image, layout)
        let channels = resolved.channels
        let strips = PNGStripWriter.stripCount(rowBytes: image.width * channels, height: image.height, threads: threads)
        return try encode(image, layout: resolved, compression: compression, strips: strips, chunks: chunks)
    }

    /// The same with a given number of strips (tests join every count).
    static func encode(
        _ image: Image, layout: Layout = .automatic, compression: Compression, strips: Int,
        chunks: [(type: String, data: [UInt8])] = []
    ) throws(RasterError) -> [UInt8] {
        let resolved = resolvedLayout(image, layout)
        let channels = resolved.channels
        let colorType: UInt8 = resolved == .rgba ? 6 : resolved == .rgb ? 2 : 0
        let width = image.width
        let pixels = image.pixels
        let png = try PNGStripWriter.encode(
            width: width, height: image.height, colorType: colorType, bytesPerPixel: channels,
            compression: compression, strips: strips, chunks: chunks
        ) { y, out in
            pixels.withUnsafeBufferPointer { packRow(y, of: $0, width: width, channels: channels, into: out) }
        }
        guard compression == .best else { return png }
        var libpng = try encode(image, layout: resolved, options: EncodeOptions(compressionLevel: 9, filter: .all))
        for chunk in chunks.reversed() { libpng = try inserting(chunk: chunk.type, data: chunk.data, into: libpng) }
        return libpng.count < png.count ? libpng : png
    }
}

/// Writes big PNG pictures fast: rows are packed and filtered in horizontal
/// strips, one strip per core, and compressed either per strip by
/// `RunLengthDeflate` (joined into one zlib stream as pigz joins zlib's
/// pieces: each ends on a byte boundary with a sync-flush marker, the Adler-32
/// checksums are combined) or, for `default` and `best`, as one buffer by
/// libdeflate.
enum PNGStripWriter {
    /// Strips worth a thread: at least 1 MiB of rows each, and one per core.
    static func stripCount(rowBytes: Int, height: Int, threads: Int) -> Int {
        let cores = threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
        let total = (rowBytes + 1) * height
        return max(1, min(cores, total / (1 << 20), height))
    }

    /// `fillRow(y, out)` writes row y's raw bytes; it is called from several
    /// threads at once, for different rows.
    static func encode(
        width: Int, height: Int, colorType: UInt8, bytesPerPixel bpp: Int,
        compression: PNG.Compression, strips requested: Int, chunks: [(type: String, data: [UInt8])] = [],
        fillRow: @Sendable (_ row: Int, _ out: UnsafeMutableBufferPointer<UInt8>) -> Void
    ) throws(RasterError) -> [UInt8] {
        guard width > 0, height > 0, width <= 1 << 24, height <= 1 << 24 else {
            throw .invalidArgument("PNG images must be between 1x1 and 16777216 on a side")
        }
        let rowBytes = width * bpp
        let stride = rowBytes + 1
        let (rawCount, overflow) = stride.multipliedReportingOverflow(by: height)
        guard !overflow, rawCount < Int(Int32.max) else { throw .limitsExceeded("image too large for one PNG data stream") }
        let strips = max(1, min(requested, height))
        let bounds = (0...strips).map { height * $0 / strips }

        let zlib: [[UInt8]]
        switch compression {
        case .fast:
            // One slot per strip, each filled by the thread that compressed it.
            let pieces = Mutex<[(bytes: [UInt8], adler: UInt32, length: Int)?]>(Array(repeating: nil, count: strips))
            DispatchQueue.concurrentPerform(iterations: strips) { strip in
                let first = bounds[strip], last = bounds[strip + 1]
                var encoder = RunLengthDeflate(expectedInput: (last - first) * stride)
                var adler: UInt32 = 1
                // Filter whole rows into chunks of about one deflate block.
                let rowsPerChunk = max(1, RunLengthDeflate.blockInput / stride)
                var chunk = [UInt8](repeating: 0, count: rowsPerChunk * stride)
                var rows = RowPair(rowBytes: rowBytes)
                rows.start(at: first, fillRow: fillRow)
                var y = first
                while y < last {
                    let count = min(rowsPerChunk, last - y)
                    chunk.withUnsafeMutableBufferPointer { out in
                        for k in 0..<count {
                            rows.filter(row: y + k, bpp: bpp, fillRow: fillRow,
                                        into: UnsafeMutableBufferPointer(rebasing: out[(k * stride)..<((k + 1) * stride)]))
                        }
                        let filled = UnsafeBufferPointer(rebasing: out[0..<(count * stride)])
                        adler = Libdeflate.adler32(filled, continuing: adler)
                        encoder.append(filled)
                    }
                    y += count
                }
                let piece = (bytes: encoder.finish(final: strip == strips - 1), adler: adler, length: (last - first) * stride)
                pieces.withLock { $0[strip] = piece }
            }
            let strips = pieces.withLock { $0.compactMap { $0 } }
            var adler: UInt32 = 1
            for piece in strips { adler = Adler32.combine(adler, piece.adler, length: piece.length) }
            // deflate with a 32 KiB window at the fastest level, the strips, the checksum.
            zlib = [[0x78, 0x01]] + strips.map(\.bytes) + [PNGChunks.bigEndian(adler)]
        case .default, .best:
            var filtered = [UInt8](repeating: 0, count: rawCount)
            filtered.withUnsafeMutableBufferPointer { whole in
                let shared = SendableBuffer(whole)
                DispatchQueue.concurrentPerform(iterations: strips) { strip in
                    var rows = RowPair(rowBytes: rowBytes)
                    rows.start(at: bounds[strip], fillRow: fillRow)
                    for y in bounds[strip]..<bounds[strip + 1] {
                        rows.filter(row: y, bpp: bpp, fillRow: fillRow,
                                    into: UnsafeMutableBufferPointer(rebasing: shared.buffer[(y * stride)..<((y + 1) * stride)]))
                    }
                }
            }
            zlib = [try DeflatePool.shared.zlibCompress(filtered, level: compression == .best ? 10 : 5)]
        }
        return PNGChunks.file(width: width, height: height, bitDepth: 8, colorType: colorType, chunks: chunks, zlib: zlib)
    }
}

/// The raw row being filtered and the raw row above it, swapped as a strip
/// goes down.
private struct RowPair {
    private var current: [UInt8]
    private var previous: [UInt8]

    init(rowBytes: Int) {
        current = [UInt8](repeating: 0, count: rowBytes)
        previous = [UInt8](repeating: 0, count: rowBytes)
    }

    /// Loads the row above `row` (zeros above the first): a strip filters
    /// against the picture, not against the strip.
    mutating func start(at row: Int, fillRow: (Int, UnsafeMutableBufferPointer<UInt8>) -> Void) {
        if row > 0 {
            previous.withUnsafeMutableBufferPointer { fillRow(row - 1, $0) }
        }
    }

    mutating func filter(row: Int, bpp: Int, fillRow: (Int, UnsafeMutableBufferPointer<UInt8>) -> Void,
                         into out: UnsafeMutableBufferPointer<UInt8>) {
        current.withUnsafeMutableBufferPointer { fillRow(row, $0) }
        current.withUnsafeBufferPointer { raw in
            previous.withUnsafeBufferPointer { above in
                PNGRowFilter.filterAdaptively(raw, previous: above, bytesPerPixel: bpp, into: out)
            }
        }
        swap(&current, &previous)
    }
}

/// A buffer whose disjoint ranges are written by different threads.
private struct SendableBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }
}

/// Adler-32 of two pieces from the checksums of each (as zlib's adler32_combine).
enum Adler32 {
    static func combine(_ first: UInt32, _ second: UInt32, length: Int) -> UInt32 {
        let base: UInt64 = 65_521
        let remainder = UInt64(length) % base
        var sum1 = UInt64(first & 0xFFFF)
        var sum2 = (remainder * sum1) % base
        sum1 += UInt64(second & 0xFFFF) + base - 1
        sum2 += UInt64(first >> 16) + UInt64(second >> 16) + base - remainder
        sum1 %= base
        sum2 %= base
        return UInt32(sum1 | sum2 << 16)
    }
}
