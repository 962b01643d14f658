/// A PNG writer of its own for the hot path: unfiltered scanlines compressed in
/// one call by libdeflate, with compressors reused across calls. For small
/// images libpng + zlib spend most of their time setting up and clearing zlib's
/// state; this path has none of that (see Benchmarks/README.md for the figures).
/// Big pictures go through `PNGStripWriter` instead.
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

        return PNGChunks.file(width: width, height: height, bitDepth: bitDepth, colorType: colorType,
                              palette: palette, zlib: compressed)
    }
}
